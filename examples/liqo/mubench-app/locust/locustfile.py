"""Load for the µBench example: every simulated user asks the edge ingress for /s0 once per second.

    locust -f examples/liqo/mubench-app/locust/locustfile.py \
        --host=http://<edge-node-ip>:<istio-ingress-node-port> --headless -u <users> -r <users started per second>

The offered load is about <users> requests per second.
"""
from locust import FastHttpUser, constant_throughput, task


class MuBenchUser(FastHttpUser):
    wait_time = constant_throughput(1)

    @task
    def call_s0(self):
        self.client.get("/s0", name="/s0")
