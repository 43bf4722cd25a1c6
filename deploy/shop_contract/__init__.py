"""The dual-served product API's request contract, shared by the Django and the FastAPI app.

Both apps parse and validate the product list and product id parameters here, so they reject the same input
with the same messages; each renders the results with its own stack, and deploy/tests/test_contract.py holds the
two responses to byte equality. Pure Python, no framework imports. Importable because deploy/bin/lib.sh and the
pytest configs put deploy/ on the path."""
