from django import forms

MAX_ORDER_LINES = 100
MAX_LINE_QUANTITY = 10_000
MAX_STOCK_CHANGE = 1_000_000


class OrderForm(forms.Form):
    customer_email = forms.EmailField()
    customer_name = forms.CharField(max_length=200, required=False)


class OrderLineForm(forms.Form):
    product_id = forms.IntegerField(min_value=1)
    quantity = forms.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)


class StockForm(forms.Form):
    """Either an absolute `stock` or a relative `delta`, never both."""

    stock = forms.IntegerField(min_value=0, max_value=MAX_STOCK_CHANGE, required=False)
    delta = forms.IntegerField(min_value=-MAX_STOCK_CHANGE, max_value=MAX_STOCK_CHANGE, required=False)

    def clean(self):
        cleaned = super().clean()
        given = [name for name in ("stock", "delta") if cleaned.get(name) is not None]
        if len(given) != 1 and not self.errors:
            raise forms.ValidationError("Give exactly one of stock or delta.")
        return cleaned


class QuantityForm(forms.Form):
    quantity = forms.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY, initial=1)
