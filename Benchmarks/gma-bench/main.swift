print("gma-bench: nothing yet")
