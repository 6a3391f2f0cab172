"""Load for the Online Boutique example: shoppers browsing, filling carts and checking out through
the edge ingress, each doing about one action per second.

    locust -f examples/liqo/onlinebutique/locust/locustfile.py \
        --host=http://<edge-node-ip>:<istio-ingress-node-port> --headless -u <users> -r <users started per second>

Needs the faker package (pip install locust faker).
"""
import random

from faker import Faker
from locust import FastHttpUser, constant_throughput, task

PRODUCTS = [
    "0PUK6V6EV0", "1YMWWN1N4O", "2ZYFJ3GM2N", "66VCHSJNUP", "6E92ZMYYFZ",
    "9SIQT8TOJO", "L9ECAV7KIM", "LS4PSXUNUM", "OLJCESPC7Z",
]
CURRENCIES = ["EUR", "USD", "JPY", "CAD", "GBP", "TRY"]

fake = Faker()


class Shopper(FastHttpUser):
    wait_time = constant_throughput(1)

    def on_start(self):
        self.index()

    @task(1)
    def index(self):
        self.client.get("/")

    @task(2)
    def set_currency(self):
        self.client.post("/setCurrency", data={"currency_code": random.choice(CURRENCIES)})

    @task(10)
    def browse_product(self):
        self.client.get("/product/" + random.choice(PRODUCTS), name="/product/[id]")

    @task(3)
    def view_cart(self):
        self.client.get("/cart")

    @task(2)
    def add_to_cart(self):
        product = random.choice(PRODUCTS)
        self.client.get("/product/" + product, name="/product/[id]")
        self.client.post("/cart", data={"product_id": product, "quantity": random.randint(1, 10)})

    @task(1)
    def checkout(self):
        self.add_to_cart()
        expiry = fake.date_between(start_date="+1y", end_date="+5y")
        self.client.post(
            "/cart/checkout",
            data={
                "email": fake.email(),
                "street_address": fake.street_address(),
                "zip_code": fake.postcode(),
                "city": fake.city(),
                "state": fake.state_abbr(),
                "country": fake.country(),
                "credit_card_number": fake.credit_card_number(card_type="visa"),
                "credit_card_expiration_month": expiry.month,
                "credit_card_expiration_year": expiry.year,
                "credit_card_cvv": f"{random.randint(100, 999)}",
            },
        )
