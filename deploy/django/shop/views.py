"""Server-rendered pages: the catalogue, product pages with an order form, and the signed-in user's orders."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from .forms import QuantityForm
from .models import Category, Order, Product
from .services import InsufficientStock, customer_for_user, place_order

CATALOGUE_PAGE_SIZE = 24
ORDERS_PAGE_SIZE = 20


@require_safe
def catalogue(request):
    products = Product.objects.select_related("category").order_by("id")
    category = None
    if slug := request.GET.get("category"):
        category = get_object_or_404(Category, slug=slug)
        products = products.filter(category=category)
    page = Paginator(products, CATALOGUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "shop/catalogue.html",
        {"categories": Category.objects.all(), "category": category, "page": page},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def product_page(request, pk: int):
    product = get_object_or_404(Product.objects.select_related("category"), pk=pk)
    form = QuantityForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if form.is_valid():
            try:
                order = place_order(customer_for_user(request.user), {product.pk: form.cleaned_data["quantity"]})
            except InsufficientStock as exc:
                form.add_error("quantity", f"Only {exc.shortages[0].available} in stock.")
            else:
                messages.success(request, f"Order {order.pk} placed.")
                return redirect("order", pk=order.pk)
    return render(request, "shop/product.html", {"product": product, "form": form})


@login_required
@require_safe
def orders(request):
    queryset = Order.objects.select_related("customer").order_by("-id")
    if not request.user.is_staff:
        queryset = queryset.filter(customer__user=request.user)
    page = Paginator(queryset, ORDERS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "shop/orders.html", {"page": page})


@login_required
@require_safe
def order_page(request, pk: int):
    order = get_object_or_404(Order.objects.select_related("customer").prefetch_related("lines__product"), pk=pk)
    if not request.user.is_staff and order.customer.user_id != request.user.pk:
        raise Http404
    return render(request, "shop/order.html", {"order": order})
