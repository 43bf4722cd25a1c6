from django.contrib import admin

from .models import Category, Customer, Order, OrderLine, Product


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["sku", "name", "category", "price", "stock", "updated_at"]
    list_filter = ["category"]
    # Editing stock here shows up on FastAPI's live stock WebSocket within a second.
    list_editable = ["price", "stock"]
    list_select_related = ["category"]
    search_fields = ["sku", "name"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "user", "created_at"]
    search_fields = ["email", "name"]
    raw_id_fields = ["user"]


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    raw_id_fields = ["product"]
    extra = 0


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["id", "customer", "status", "total", "created_at"]
    list_filter = ["status"]
    list_select_related = ["customer"]
    search_fields = ["customer__email"]
    raw_id_fields = ["customer"]
    inlines = [OrderLineInline]
