import os
import random
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from shop.models import Category, Customer, Order, Product
from shop.services import InsufficientStock, place_order

CATEGORIES = [
    ("books", "Books"),
    ("coffee", "Coffee"),
    ("garden", "Garden"),
    ("kitchen", "Kitchen"),
    ("music", "Music"),
    ("office", "Office"),
    ("outdoor", "Outdoor"),
    ("toys", "Toys"),
]
ADJECTIVES = ["Classic", "Compact", "Deluxe", "Everyday", "Heavy-duty", "Light", "Modern", "Rustic", "Smart", "Vintage"]
NOUNS = {
    "books": ["Atlas", "Cookbook", "Field Guide", "Novel", "Notebook"],
    "coffee": ["Espresso Beans", "Grinder", "Filter Papers", "Mug", "Pour-over Kettle"],
    "garden": ["Hose", "Planter", "Pruner", "Seed Kit", "Watering Can"],
    "kitchen": ["Chef's Knife", "Cutting Board", "Dutch Oven", "Skillet", "Whisk"],
    "music": ["Capo", "Guitar Strings", "Headphones", "Metronome", "Vinyl Record"],
    "office": ["Desk Lamp", "Fountain Pen", "Monitor Stand", "Stapler", "Whiteboard"],
    "outdoor": ["Backpack", "Camp Stove", "Headlamp", "Tent", "Water Bottle"],
    "toys": ["Building Set", "Jigsaw Puzzle", "Kite", "Plush Bear", "Yo-yo"],
}
DEMO_CUSTOMERS = 20
DEMO_ORDERS = 30
BATCH_SIZE = 1000


class Command(BaseCommand):
    help = (
        "Load demo data: categories, N products (SKU-000001...), customers and orders. Safe to repeat: "
        "existing rows are kept as they are and only missing products are added."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--products",
            type=int,
            default=int(os.environ.get("SEED_PRODUCTS", "1000")),
            help="number of products to have (default: $SEED_PRODUCTS or 1000)",
        )

    def handle(self, *, products, **options):
        categories = [
            Category.objects.get_or_create(slug=slug, defaults={"name": name})[0] for slug, name in CATEGORIES
        ]
        created = self._add_products(categories, products)
        customers = [
            Customer.objects.get_or_create(
                email=f"customer{n:02d}@example.com", defaults={"name": f"Demo Customer {n:02d}"}
            )[0]
            for n in range(1, DEMO_CUSTOMERS + 1)
        ]
        orders = 0 if Order.objects.exists() else self._add_orders(customers)
        self.stdout.write(
            f"seed: {Product.objects.count()} products ({created} new), {len(categories)} categories, "
            f"{len(customers)} customers, {orders} new orders"
        )

    def _add_products(self, categories: list[Category], count: int) -> int:
        existing = set(Product.objects.filter(sku__startswith="SKU-").values_list("sku", flat=True))
        missing = [n for n in range(1, count + 1) if sku(n) not in existing]
        for start in range(0, len(missing), BATCH_SIZE):
            with transaction.atomic():
                Product.objects.bulk_create(demo_product(n, categories) for n in missing[start : start + BATCH_SIZE])
            self.stderr.write(f"seed: {min(start + BATCH_SIZE, len(missing))}/{len(missing)} products added")
        return len(missing)

    def _add_orders(self, customers: list[Customer]) -> int:
        rng = random.Random(0)
        product_ids = list(Product.objects.filter(stock__gt=5).values_list("id", flat=True)[:200])
        placed = 0
        for n in range(DEMO_ORDERS if product_ids else 0):
            chosen = rng.sample(product_ids, k=min(len(product_ids), rng.randint(1, 3)))
            try:
                place_order(customers[n % len(customers)], {pid: rng.randint(1, 2) for pid in chosen})
            except InsufficientStock:
                continue
            placed += 1
        return placed


def sku(n: int) -> str:
    return f"SKU-{n:06d}"


def demo_product(n: int, categories: list[Category]) -> Product:
    """Product n is the same on every machine, so demo data and benchmarks are comparable."""
    rng = random.Random(n)
    category = categories[n % len(categories)]
    noun = rng.choice(NOUNS.get(category.slug, ["Item"]))
    return Product(
        sku=sku(n),
        name=f"{rng.choice(ADJECTIVES)} {noun} {n}",
        description=f"A {noun.lower()} from the demo catalogue.",
        category=category,
        price=Decimal(rng.randint(199, 49_999)) / 100,
        # About one in ten is sold out, so the in_stock filter has something to do.
        stock=0 if rng.random() < 0.1 else rng.randint(1, 500),
    )
