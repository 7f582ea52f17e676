"""The stock and prices page: an editable table of the supplier's products and a CSV upload.

Both go through commerce.bulk (the Supplier API's bulk services): this module only turns
what the browser sent into the services' items and their answer into the page. A row is
saved whole or not at all; the other rows are saved (the services' per-item semantics).
"""
import csv
import io
import re
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.views.generic import TemplateView

from commerce import bulk
from supplier import selectors
from verso.errors import ValidationFailed

from .mixins import PortalMixin

PER_PAGE = 25
MAX_PER_PAGE = 100
MAX_CSV_ROWS = bulk.MAX_BULK_ITEMS  # the Supplier API's limit per request
MAX_CSV_BYTES = 256 * 1024  # 500 rows of a SKU, a stock and a price fit many times over
CSV_COLUMNS = ("sku", "stock_qty", "base_price")

_WHOLE = re.compile(r"^\d{1,18}$")
_EUROS = re.compile(r"^\d{1,15}(\.\d{1,15})?$")


def stock_value(text: str):
    """A typed stock quantity as the bulk service takes it: a whole number, or the text itself
    (which the service refuses in its own words)."""
    text = text.strip()
    return int(text) if _WHOLE.match(text) else text


def price_value(text: str):
    """A typed price in euros as the bulk service takes it (a number, like the API's JSON), or
    the text itself for the service to refuse ("2,50", "-1", "abc")."""
    text = text.strip()
    return float(text) if _EUROS.match(text) else text


class StockSearchForm(forms.Form):
    """The table's search box: a form, so a value no query can take (a NUL byte, a novel) is shown
    as an error beside the box instead of reaching the database."""

    search = forms.CharField(label="Name or SKU", required=False, max_length=200,
                             widget=forms.TextInput(attrs={"type": "search"}))


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file", allow_empty_file=True, widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text=f"Columns <code>sku,stock_qty,base_price</code> (a header line first), UTF-8. Prices in euros "
                  f"with at most 2 decimals (2.50). Leave a cell empty to keep that value. At most {MAX_CSV_ROWS} "
                  f"rows per file.",
    )


def read_csv(upload) -> tuple[list[dict | None], list[int], list[str]]:
    """The file's rows as bulk items (None: not three cells), their line numbers and SKUs;
    ValidationFailed for a file that
    cannot be read as a whole (nothing is applied then)."""
    if upload.size > MAX_CSV_BYTES:
        raise ValidationFailed(f"The file is too large ({upload.size // 1024} KB); at most {MAX_CSV_BYTES // 1024} KB "
                               f"and {MAX_CSV_ROWS} rows per file.")
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed("The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.")
    if "\x00" in text:
        raise ValidationFailed("The file is not a CSV text file.")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise ValidationFailed("The file is empty: give a header line (sku,stock_qty,base_price) and rows.")
        names = [name.strip().lower() for name in header]
        if sorted(names) != sorted(CSV_COLUMNS):
            message = f"The first line must be the header sku,stock_qty,base_price; it is “{','.join(header)[:100]}”."
            if len(header) == 1 and any(mark in header[0] for mark in ";\t"):
                # Spreadsheets set to a comma-decimal language separate with semicolons (or tabs).
                message += (" Separate the values with commas: in Excel, save as “CSV UTF-8 (Comma delimited)”, "
                            "with a dot before the cents (2.75).")
            raise ValidationFailed(message)
        columns = {name: names.index(name) for name in CSV_COLUMNS}
        items, lines, skus = [], [], []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # a blank line
            if len(items) == MAX_CSV_ROWS:
                raise ValidationFailed(f"The file has more than {MAX_CSV_ROWS} rows; split it into several files.")
            line = reader.line_num
            skus.append(cells[columns["sku"]].strip() if len(cells) > columns["sku"] else "")
            if len(cells) != len(CSV_COLUMNS):
                items.append(None)  # refused below, in its row of the report
            else:
                item = {"sku": cells[columns["sku"]]}
                if cells[columns["stock_qty"]].strip():
                    item["stock_qty"] = stock_value(cells[columns["stock_qty"]])
                if cells[columns["base_price"]].strip():
                    item["base_price"] = price_value(cells[columns["base_price"]])
                items.append(item)
            lines.append(line)
    except csv.Error as exc:
        raise ValidationFailed(f"The file is not valid CSV (line {reader.line_num}: {exc}).")
    if not items:
        raise ValidationFailed("The file has a header but no rows.")
    return items, lines, skus


class StockView(PortalMixin, TemplateView):
    template_name = "portal/stock.html"
    portal_section = "stock"

    # --- reading -----------------------------------------------------------------------------

    def page(self, search: str):
        try:
            per_page = min(max(int(self.request.GET.get("per_page", PER_PAGE)), 1), MAX_PER_PAGE)
        except ValueError:
            per_page = PER_PAGE
        rows = selectors.product_filter(selectors.product_list(supplier_id=self.supplier.pk), search=search)
        return Paginator(rows, per_page).get_page(self.request.GET.get("page"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filters = StockSearchForm(self.request.GET)
        search = filters.cleaned_data["search"] if filters.is_valid() else ""
        page = self.page(search)
        typed = kwargs.get("typed", {})
        for row in page.object_list:
            shown = (str(row["stock_qty"]), f"{Decimal(row['price']) / 100:.2f}")
            row["stock_initial"], row["price_initial"] = shown
            row["stock_shown"], row["price_shown"] = typed.get(row["id"], shown)
            row["error"] = kwargs.get("row_errors", {}).get(row["id"], "")
        # A refused row the table no longer shows (deleted meanwhile in another tab, or by the API)
        # is named above the table, so "see the messages beside them" never points at nothing.
        shown_ids = {row["id"] for row in page.object_list}
        context["unshown_errors"] = [
            {"product_id": product_id, "name": kwargs.get("typed_names", {}).get(product_id, ""), "error": error}
            for product_id, error in kwargs.get("row_errors", {}).items() if product_id not in shown_ids
        ]
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(page=page, query=query.urlencode(), filters=filters, search=search,
                       csv_form=kwargs.get("csv_form") or CsvUploadForm(), max_rows=MAX_CSV_ROWS)
        return context

    # --- writing -----------------------------------------------------------------------------

    def post(self, request, *args, **kwargs):
        if "file" in request.FILES or request.POST.get("action") == "csv":
            return self.upload(request)
        return self.save_table(request)

    def save_table(self, request):
        """The rows of the table the supplier changed (typed values against the hidden ones the
        page was drawn with): only those go to the services, so stock the API moved meanwhile
        on another row stays."""
        items, typed = [], {}
        for raw_id in request.POST.getlist("product")[:MAX_PER_PAGE]:
            if not raw_id.isdigit():
                continue
            product_id = int(raw_id)
            stock, price = request.POST.get(f"stock-{raw_id}", ""), request.POST.get(f"price-{raw_id}", "")
            item = {"product_id": product_id}
            if stock.strip() != request.POST.get(f"initial-stock-{raw_id}", "").strip():
                item["stock_qty"] = stock_value(stock)
            if price.strip() != request.POST.get(f"initial-price-{raw_id}", "").strip():
                item["base_price"] = price_value(price)
            if len(item) > 1:
                items.append(item)
                typed[product_id] = (stock, price)
        if not items:
            messages.info(request, "Nothing was changed.")
            return redirect(request.get_full_path())
        result = bulk.product_stock_and_price_bulk_update(supplier_id=self.supplier.pk, items=items, actor=self.actor)
        if not result["failed"]:
            messages.success(request, f"Saved {result['updated']} product{'s' if result['updated'] != 1 else ''}.")
            return redirect(request.get_full_path())
        row_errors = {items[e["index"]]["product_id"]: e["error"] for e in result["errors"]}
        if result["updated"]:
            messages.success(request, f"Saved {result['updated']} product{'s' if result['updated'] != 1 else ''}.")
        messages.error(request, f"{result['failed']} row{'s were' if result['failed'] != 1 else ' was'} not saved: "
                                "see the messages beside them.")
        # Failed rows keep what was typed; saved rows show what is stored now.
        typed = {product_id: values for product_id, values in typed.items() if product_id in row_errors}
        return self.render_to_response(
            self.get_context_data(typed=typed, row_errors=row_errors, typed_names=self.posted_names(request)))

    @staticmethod
    def posted_names(request) -> dict[int, str]:
        """The product names the posted table showed (its hidden "name-<id>" inputs), to name a row
        that is gone from the page; only ever displayed, never trusted for anything else."""
        return {int(raw_id): request.POST.get(f"name-{raw_id}", "")[:200]
                for raw_id in request.POST.getlist("product")[:MAX_PER_PAGE] if raw_id.isdigit()}

    def upload(self, request):
        form = CsvUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(csv_form=form))
        try:
            items, lines, skus = read_csv(form.cleaned_data["file"])
        except ValidationFailed as exc:
            form.add_error("file", exc.message)
            messages.error(request, "The file was not applied: nothing was changed.")
            return self.render_to_response(self.get_context_data(csv_form=form))
        line_of = dict(enumerate(lines))
        errors: dict[int, str] = {}
        good = []
        for index, item in enumerate(items):
            if item is None:
                errors[index] = f"Expected {len(CSV_COLUMNS)} values (sku,stock_qty,base_price)."
            else:
                good.append(index)
        if good:
            result = bulk.product_stock_and_price_bulk_update(
                supplier_id=self.supplier.pk, items=[items[index] for index in good], actor=self.actor,
                describe_item=lambda index: f"line {line_of[good[index]]}")
            errors.update({good[e["index"]]: e["error"] for e in result["errors"]})
        report = [
            {"line": line_of[index], "sku": skus[index], "ok": index not in errors,
             "message": errors.get(index, "Saved")}
            for index in range(len(items))
        ]
        saved = sum(row["ok"] for row in report)
        if saved:
            messages.success(request, f"Saved {saved} of {len(report)} rows.")
        if errors:
            messages.error(request, f"{len(errors)} row{'s were' if len(errors) != 1 else ' was'} not saved: "
                                    "see the report.")
        return self.render_to_response(self.get_context_data(report=report, report_failed=len(errors)))
