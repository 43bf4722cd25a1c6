from django.urls import path

from . import api, views

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("products/<int:pk>/", views.product_page, name="product"),
    path("orders/", views.orders, name="orders"),
    path("orders/<int:pk>/", views.order_page, name="order"),
    # Ids are matched as strings so that every malformed id gets the API's JSON 404, as from FastAPI.
    path("api/products", api.product_list, name="api-products"),
    path("api/products/<str:product_id>", api.product_detail, name="api-product"),
    path("api/products/<str:product_id>/stock", api.product_stock, name="api-product-stock"),
    path("api/orders", api.order_create, name="api-orders"),
    path("api/orders/<str:order_id>", api.order_detail, name="api-order"),
]
