"""The SQL page: run SQL on a source with ``run_sql`` and show what came back."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from console.forms.data import RunSqlForm
from console.views.common import console_page
from relationships.browse import Reader


@console_page
def run_sql(request: HttpRequest) -> HttpResponse:
    """The SQL form; after a run, the result rows (or "command OK"), or the error next to the SQL."""
    form = RunSqlForm(request.POST or None, reader=Reader())
    result = form.run() if request.method == "POST" and form.is_valid() else None
    return render(request, "console/data/sql.html", {"form": form, "result": result})
