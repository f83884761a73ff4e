"""The planning studio: map, lead-time forecast per region, alerts, capacity plans as table and
timeline, scenarios side by side, and CSV/GeoJSON downloads. Planners and admins only.

Thin routes: parse the form into ``PlanningParams`` (field-level messages on bad input), call
the planning services, hand the results to the SVG renderers and the templates. Reading pages
forecast the network as it is (fast); the capacity plan, which takes longer, runs only when a
planner asks for one and is then saved as a scenario, which later pages read back.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query
from fastapi.responses import Response
from markupsafe import Markup
from pydantic import ValidationError

from pitstop.errors import (
    ConflictError,
    InvalidInputError,
    ManyInvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from pitstop.idempotency import flows as keyed
from pitstop.idempotency.flows import Idempotency
from pitstop.idempotency.service import fingerprint
from pitstop.identity import policy
from pitstop.identity.actor import Actor
from pitstop.ids import MAX_ID
from pitstop.network import service as network
from pitstop.planning import export, refusals, runs, service, studio, svg_chart, svg_map
from pitstop.planning.capacity import MISS_KINDS
from pitstop.planning.schemas import PlanningParams, ScenarioCreate, ScenarioRead, ScenarioSummary
from pitstop.web import i18n
from pitstop.web.pages import FormViewer, Page, Viewer

router = APIRouter(include_in_schema=False)
BRAND_TZ = ZoneInfo("Asia/Shanghai")

# The form's fields: what a planner changes most. Everything else keeps its documented default
# (the API and CLI take every parameter).
FORECAST_FIELDS = ("target_vehicles", "weeks", "target_lead_days", "coverage_minutes")
PLAN_FIELDS = (*FORECAST_FIELDS, "coverage_share")
CHARTS_SHOWN = 12
ALERTS_SHOWN = 40
ROWS_SHOWN = 30
PLACES_SHOWN = 10  # places named in a refusal; the API lists up to 50
MISSES_SHOWN = 20  # where a saved plan misses its targets; the API lists them all


def _planner(page: Page, action: str = "plan.read") -> Actor:
    actor = page.user
    if not policy.allows(actor, action):
        raise PermissionDeniedError("the planning studio is for planners")
    return actor


def money(lang: str, yuan: float) -> str:
    """Yuan as planners read them: millions in English, 万/亿 in Chinese."""
    if lang == "zh":
        if abs(yuan) >= 1e8:
            return f"{yuan / 1e8:,.2f} 亿元"
        if abs(yuan) >= 1e4:
            return f"{yuan / 1e4:,.1f} 万元"
        return f"{yuan:,.0f} 元"
    if abs(yuan) >= 1e6:
        return f"¥{yuan / 1e6:,.1f}M"
    return f"¥{yuan:,.0f}"


def _render(page: Page, template: str, *, status: int = 200, **data: Any) -> Response:
    return page.render(template, status=status, money=lambda v: money(page.lang, float(v)), **data)


@dataclass(frozen=True)
class Parsed:
    """A parameter form as typed (kept to show again) and what it means, or its problems."""

    values: dict[str, str]
    params: PlanningParams | None
    errors: dict[str, str]

    def query(self, **extra: Any) -> str:
        pairs = {k: v for k, v in self.values.items() if v} | {
            k: v for k, v in extra.items() if v not in (None, "")
        }
        return urlencode(pairs)


def _parse(page: Page, values: dict[str, str]) -> Parsed:
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, raw in values.items():
        text = raw.strip()
        if not text:
            continue
        try:
            number = float(text)
        except ValueError:
            number = float("nan")
        # A billion of anything is a typo here, and would only overflow the arithmetic.
        if not abs(number) <= 1e9:
            errors[name] = page.t(f"planning.bad.{name}")
            continue
        if name == "coverage_share":
            number /= 100  # the form asks for a percentage
        data[name] = number
    # Validate what did parse too, so every bad field gets its message at once.
    try:
        params = PlanningParams.model_validate(data)
    except ValidationError as exc:
        for e in exc.errors():
            field = str(e["loc"][0]) if e["loc"] else "params"
            errors.setdefault(field, page.t(f"planning.bad.{field}"))
        return Parsed(values, None, errors)
    return Parsed(values, None if errors else params, errors)


def _field_errors(page: Page, exc: InvalidInputError | ManyInvalidInputError) -> dict[str, str]:
    """A service's refusal as a message by its form field; one that fits no field goes under
    ``""``."""
    refusal = refusals.of(exc)
    reason, places = _worded(page, refusal)
    if places:
        reason = page.t(
            "planning.why_where", reason=reason, places=page.t("planning.where_sep").join(places)
        )
    field = refusal.field_name if refusal.field_name in PLAN_FIELDS else ""
    return {field: page.t("planning.refused", reason=reason)}


def _number(value: Any, *, whole: bool = False) -> Any:
    """A figure as the page shows it: thousands separated; a target's fraction kept (45.5
    minutes), a place's figures rounded (``whole``)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if whole or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:g}"


def _place_figures(place: dict[str, Any]) -> dict[str, Any]:
    """A place's figures rounded, but short trips to a tenth of a minute: "1 min away" would
    read as within a 1-minute target when the trip is 1.4 minutes."""
    out = {k: _number(v, whole=True) for k, v in place.items()}
    minutes = place.get("minutes")
    if isinstance(minutes, int | float) and abs(minutes) < 10:
        out["minutes"] = f"{minutes:.1f}"
    return out


def _worded(page: Page, refusal: refusals.Refusal) -> tuple[str, list[str]]:
    """Why the planner refused, in the page's language, and the places it is about (the
    first ``PLACES_SHOWN``, then how many more)."""
    values = {k: _number(v) for k, v in refusal.values.items()}
    if "share" in refusal.values:
        values["share"] = f"{float(refusal.values['share']):.0%}"
    if refusal.kind == "invalid":
        field = str(refusal.values.get("field", ""))
        values["field"] = page.t(f"planning.field.{field}") if field in PLAN_FIELDS else field
        values.setdefault("reason", "")
    elif refusal.kind == "other" and not values.get("detail"):
        values["detail"] = page.t("planning.bad.params")
    reason = page.t(f"planning.why.{refusal.kind}", **values)
    places = [
        page.t(
            f"planning.where.{refusal.kind}",
            **(dict.fromkeys(("vehicles", "minutes", "peak_minutes"), "?") | _place_figures(p)),
        )
        for p in refusal.places[:PLACES_SHOWN]
    ]
    more = len(refusal.places) - len(places) + refusal.more
    if places and more > 0:
        places.append(page.t("planning.where_more", n=f"{more:,}"))
    return reason, places


def _int(value: str) -> int | None:
    try:
        number = int(value)
    except ValueError:
        return None
    return number if 1 <= number <= MAX_ID else None


# --- view helpers ------------------------------------------------------------------------------


def _region_name(page: Page, region: str, zh: dict[str, str]) -> str:
    if not region:
        return page.t("planning.region_other")
    return page.pick(zh.get(region, ""), region)


def _ticks(week_starts: list[str], lang: str) -> list[tuple[int, str]]:
    """A label at the first week of every third month (every month on short horizons)."""
    seen: list[tuple[int, str]] = []
    last = ""
    for week, day in enumerate(week_starts):
        month = day[:7]
        if month != last:
            last = month
            seen.append((week, month))
    step = 1 if len(seen) <= 4 else 3
    out = []
    for k, (week, month) in enumerate(seen):
        if k % step == 0:
            m = int(month[5:])
            label = f"{m}月" if lang == "zh" else _MONTHS[m - 1]
            out.append((week, label))
    return out


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _peak(values: list[float | None]) -> float:
    return max((v for v in values if v is not None), default=0.0)


def _map(
    page: Page,
    view: studio.Studio,
    proposed: list[dict[str, Any]],
) -> tuple[svg_map.Map, list[dict[str, Any]]]:
    limit = view.params.coverage_minutes
    points = [
        svg_map.Point(
            p.latitude,
            p.longitude,
            p.owners,
            p.minutes > limit,
            f"{p.name} ({page.t('planning.minutes', n=round(p.minutes))})"
            if p.minutes != float("inf")
            else p.name,
        )
        for p in view.places
    ]
    sites = [
        svg_map.Marker(
            s.latitude,
            s.longitude,
            s.kind,
            f"{page.pick(s.name_zh, s.name_en)} · {page.t('planning.kind.' + s.kind)}",
            s.vans,
        )
        for s in view.sites
    ]
    marks = [
        svg_map.Marker(
            o["latitude"],
            o["longitude"],
            o["kind"],
            f"{o['name']} · {page.t('planning.kind.' + o['kind'])} · {o['month_label']}",
        )
        for o in proposed
        if o.get("at_site") is None
    ]
    drawn = svg_map.render(
        points,
        sites,
        marks,
        title=page.t("planning.map_title"),
        owners=lambda n: page.t("planning.owners_n", n=n),
        distance=page.t("common.km"),
        sep=page.t("common.sep"),
    )
    kinds = sorted({s.kind for s in view.sites})
    legend: list[dict[str, Any]] = [
        {
            "swatch": Markup(svg_map.cell_swatch(c.colour)),  # noqa: S704 - our own SVG
            "label": page.t("planning.legend_cell", low=f"{c.low:,}", high=f"{c.high:,}")
            if c.high > c.low
            else page.t("planning.legend_cell_one", n=f"{c.low:,}"),
        }
        for c in drawn.classes
    ]
    legend.append(
        {
            "swatch": Markup(svg_map.cell_swatch("#ffffff", gap=True)),  # noqa: S704
            "label": page.t("planning.legend_gap", minutes=f"{limit:g}"),
        }
    )
    for kind in kinds:
        legend.append(
            {
                "swatch": Markup(svg_map.swatch(kind)),  # noqa: S704
                "label": page.t("planning.kind." + kind),
            }
        )
    if any(s.vans for s in view.sites):
        legend.append(
            {"swatch": Markup(svg_map.van_swatch()), "label": page.t("planning.legend_vans")}  # noqa: S704
        )
    for kind in sorted({m.kind for m in marks}):
        legend.append(
            {
                "swatch": Markup(svg_map.swatch(kind, proposed=True)),  # noqa: S704
                "label": page.t("planning.legend_proposed", kind=page.t("planning.kind." + kind)),
            }
        )
    return drawn, legend


def _charts(
    page: Page,
    forecast: dict[str, Any],
    scenario: ScenarioRead | None,
    zh: dict[str, str],
    *,
    show_all: bool,
) -> tuple[list[dict[str, Any]], int]:
    target = float(forecast["target_lead_days"])
    ticks = _ticks(forecast["horizon"]["week_starts"], page.lang)
    planned: dict[str, list[float | None]] = (
        scenario.result.get("region_lead_days", {}) if scenario is not None else {}
    )
    regions = sorted(forecast["regions"], key=lambda r: (-_peak(r["lead_days"]), r["region"]))
    charts = []
    for r in regions if show_all else regions[:CHARTS_SHOWN]:
        name = _region_name(page, r["region"], zh)
        series = [svg_chart.Series(page.t("planning.series_today"), r["lead_days"])]
        if scenario is not None and r["region"] in planned:
            series.append(
                svg_chart.Series(
                    page.t("planning.series_plan", name=scenario.name), planned[r["region"]]
                )
            )
        week = r["first_week_over_target"]
        charts.append(
            {
                "region": r["region"],
                "name": name,
                "sites": r["sites"],
                "peak": _peak(r["lead_days"]),
                "now": r.get("lead_now_days"),
                "over": week,
                "over_date": date.fromisoformat(forecast["horizon"]["week_starts"][week])
                if week is not None
                else None,
                "svg": Markup(  # noqa: S704 - built by svg_chart, every text escaped
                    svg_chart.lead_chart(
                        series,
                        target=target,
                        title=page.t("planning.chart_title", region=name),
                        ticks=ticks,
                        unit=page.t("planning.day_unit"),
                        target_label=page.t("planning.target"),
                    )
                ),
                "plan": len(series) > 1,
            }
        )
    return charts, len(regions)


def _alerts(
    page: Page, forecast: dict[str, Any], sites: list[studio.MapSite], zh: dict[str, str]
) -> list[dict[str, Any]]:
    names = {s.code: page.pick(s.name_zh, s.name_en) for s in sites}
    out = []
    for a in forecast["alerts"][:ALERTS_SHOWN]:
        name = (
            names.get(a["key"], a["name"])
            if a["scope"] == "site"
            else _region_name(page, a["key"], zh)
        )
        out.append(a | {"label": name, "week_start": date.fromisoformat(a["week_start"])})
    return out


def _scenario(page: Page, actor: Actor, scenario_id: int | None) -> ScenarioRead | None:
    with page.db.unit_of_work(write=False) as s:
        if scenario_id is not None:
            found = [service.get_scenario(s, actor=actor, scenario_id=scenario_id)]
        else:
            found = service.list_scenarios(s, actor=actor, limit=1)
        return ScenarioRead.model_validate(found[0]) if found else None


# --- studio ----------------------------------------------------------------------------------


def _shown(value: Any) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _form_values(source: dict[str, str], fields: tuple[str, ...]) -> dict[str, str]:
    return {f: (source.get(f) or "")[:40] for f in fields}


@router.get("/planning")
def studio_page(
    page: Viewer,
    target_vehicles: str = "",
    weeks: str = "",
    target_lead_days: str = "",
    coverage_minutes: str = "",
    scenario: str = "",
    regions: str = "",
) -> Response:
    actor = _planner(page)
    values = _form_values(
        {
            "target_vehicles": target_vehicles,
            "weeks": weeks,
            "target_lead_days": target_lead_days,
            "coverage_minutes": coverage_minutes,
        },
        FORECAST_FIELDS,
    )
    chosen = _scenario(page, actor, _int(scenario))
    # A blank form forecasts under the shown plan's own parameters, so "today's network" and
    # "with the plan" face the same fleet.
    from_plan = chosen is not None and not any(values.values())
    if chosen is not None and from_plan:
        values = {f: _shown(chosen.params.get(f)) for f in FORECAST_FIELDS}
    parsed = _parse(page, values)
    if parsed.params is None:
        return _render(
            page, "planning/studio.html", status=422, form=parsed, view=None, chosen=chosen
        )
    try:
        with page.db.unit_of_work(write=False) as s:
            view = studio.studio(s, actor=actor, params=parsed.params, clock=page.clock)
    except (InvalidInputError, ManyInvalidInputError) as exc:
        errors = _field_errors(page, exc)
        return _render(
            page,
            "planning/studio.html",
            status=422,
            form=Parsed(parsed.values, None, errors),
            view=None,
            chosen=chosen,
        )
    zh = studio.province_names_zh()
    proposed = chosen.result.get("openings", []) if chosen is not None else []
    drawn, legend = _map(page, view, proposed)
    charts, regions_total = _charts(page, view.forecast, chosen, zh, show_all=regions == "all")
    horizon = view.forecast["horizon"]
    kinds = {k: sum(1 for s in view.sites if s.kind == k) for k in ("centre", "authorised_outlet")}
    return _render(
        page,
        "planning/studio.html",
        form=parsed,
        view=view,
        chosen=chosen,
        from_plan=from_plan,
        map_svg=Markup(drawn.svg),  # noqa: S704 - built by svg_map, every text escaped
        legend=legend,
        gap_cells=drawn.gap_cells,
        gaps=len(view.gaps),
        gap_owners=sum(g.owners for g in view.gaps),
        charts=charts,
        regions_total=regions_total,
        show_all=regions == "all",
        alerts=_alerts(page, view.forecast, view.sites, zh),
        alerts_total=len(view.forecast["alerts"]),
        horizon=horizon,
        kinds=kinds,
        within=view.within_share,
        start=view.start,
        end=view.start + timedelta(days=7 * int(horizon["weeks"]) - 1),
    )


def _gaps(
    page: Page, coverage_minutes: str, target_vehicles: str
) -> tuple[list[studio.MapPlace], float]:
    actor = _planner(page)
    parsed = _parse(
        page,
        _form_values(
            {"coverage_minutes": coverage_minutes, "target_vehicles": target_vehicles},
            ("coverage_minutes", "target_vehicles"),
        ),
    )
    if parsed.params is None:
        field, reason = next(iter(parsed.errors.items()))
        raise InvalidInputError(field, reason)
    with page.db.unit_of_work(write=False) as s:
        found = studio.coverage_gaps(s, actor=actor, params=parsed.params, clock=page.clock)
    return found, parsed.params.coverage_minutes


def _download(body: str, media_type: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


@router.get("/planning/gaps.csv")
def gaps_csv(page: Viewer, coverage_minutes: str = "", target_vehicles: str = "") -> Response:
    found, minutes = _gaps(page, coverage_minutes, target_vehicles)
    return _download(
        export.gaps_csv(found), "text/csv; charset=utf-8", f"coverage-gaps-{minutes:g}min.csv"
    )


@router.get("/planning/gaps.geojson")
def gaps_geojson(page: Viewer, coverage_minutes: str = "", target_vehicles: str = "") -> Response:
    found, minutes = _gaps(page, coverage_minutes, target_vehicles)
    return _download(
        export.gaps_geojson(found, minutes=minutes),
        "application/geo+json",
        f"coverage-gaps-{minutes:g}min.geojson",
    )


# --- scenarios -------------------------------------------------------------------------------


def _scenarios_page(
    page: Page,
    actor: Actor,
    form: Parsed,
    *,
    name: str = "",
    error: str | None = None,
    error_places: list[str] | None = None,
    status: int = 200,
) -> Response:
    with page.db.unit_of_work(write=False) as s:
        saved = [
            ScenarioSummary.model_validate(x)
            for x in service.list_scenarios(s, actor=actor, limit=100)
        ]
    return _render(
        page,
        "planning/scenarios.html",
        status=status,
        scenarios=saved,
        form=form,
        name=name,
        name_error=form.errors.get("name", ""),
        error=error or form.errors.get("", ""),
        error_places=error_places or [],
        idem=secrets.token_urlsafe(16),
        can_write=policy.allows(actor, "plan.write"),
    )


@router.get("/planning/scenarios")
def scenarios_page(page: Viewer) -> Response:
    actor = _planner(page)
    return _scenarios_page(page, actor, Parsed(dict.fromkeys(PLAN_FIELDS, ""), None, {}))


_NAME = re.compile(r"^[^\x00-\x1f]{1,120}$")


@router.post("/planning/scenarios")
def run_plan(
    page: FormViewer,
    name: Annotated[str, Form(max_length=500)] = "",
    target_vehicles: Annotated[str, Form(max_length=100)] = "",
    weeks: Annotated[str, Form(max_length=100)] = "",
    target_lead_days: Annotated[str, Form(max_length=100)] = "",
    coverage_minutes: Annotated[str, Form(max_length=100)] = "",
    coverage_share: Annotated[str, Form(max_length=100)] = "",
    idem: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    actor = _planner(page, "plan.write")
    values = _form_values(
        {
            "target_vehicles": target_vehicles,
            "weeks": weeks,
            "target_lead_days": target_lead_days,
            "coverage_minutes": coverage_minutes,
            "coverage_share": coverage_share,
        },
        PLAN_FIELDS,
    )
    parsed = _parse(page, values)
    name = name.strip()
    errors = dict(parsed.errors)
    if not _NAME.match(name):
        errors["name"] = page.t("planning.bad.name")
    if errors or parsed.params is None:
        return _scenarios_page(
            page, actor, Parsed(values, None, errors), name=name[:120], status=422
        )
    request = ScenarioCreate(name=name, params=parsed.params)
    key = (
        Idempotency(
            key=f"page:{idem}",
            fingerprint=fingerprint(
                "POST", "/planning/scenarios", request.model_dump_json().encode()
            ),
        )
        if idem
        else None
    )
    try:
        outcome = keyed.run(
            page.db,
            actor=actor,
            clock=page.clock,
            idem=key,
            status_code=201,
            change=lambda s: {
                "id": runs.queue(s, actor=actor, request=request, now=page.clock.now()).id
            },
        )
    except ConflictError:
        errors = {"name": page.t("planning.name_taken")}
        return _scenarios_page(page, actor, Parsed(values, None, errors), name=name, status=409)
    return page.redirect(f"/planning/runs/{outcome.body['id']}")


def _values_of(params: dict[str, Any]) -> dict[str, str]:
    """A run's parameters as the form shows them (the coverage share as a percentage)."""
    values = {}
    for f in PLAN_FIELDS:
        v = params.get(f)
        if isinstance(v, int | float):
            values[f] = f"{v * 100 if f == 'coverage_share' else v:g}"
        else:
            values[f] = ""
    return values


@router.get("/planning/runs/{run_id}")
def run_page(page: Viewer, run_id: int) -> Response:
    """Follow a queued plan: open it when saved, show why when it failed, else wait."""
    actor = _planner(page)
    if not 1 <= run_id <= MAX_ID:
        raise NotFoundError("plan run", run_id)
    with page.db.unit_of_work(write=False) as s:
        run = runs.get(s, actor=actor, run_id=run_id)
        status, name, scenario_id = run.status, run.name, run.scenario_id
        params, created_at = dict(run.params), run.created_at
        refusal = refusals.Refusal.from_json(run.failure)
        if refusal.kind == "other" and not refusal.values.get("detail"):
            refusal = refusals.Refusal("other", {"detail": run.error})
    if status == "done" and scenario_id is not None:
        return page.redirect(f"/planning/scenarios/{scenario_id}?done=saved")
    if status == "failed":
        reason, places = _worded(page, refusal)
        return _scenarios_page(
            page,
            actor,
            Parsed(_values_of(params), None, {}),
            name=name,
            error=page.t("planning.run_failed", name=name, reason=reason),
            error_places=places,
            status=422,
        )
    return _render(
        page,
        "planning/run.html",
        name=name,
        status_text=page.t(f"planning.run_{status}"),
        # The brand plans in its own time zone (the horizon's months and weeks are local).
        since=created_at.astimezone(BRAND_TZ),
    )


def _sites_by_code(page: Page, actor: Actor) -> dict[str, tuple[float, float, str]]:
    with page.db.unit_of_work(write=False) as s:
        return {
            x.code: (x.latitude, x.longitude, x.province)
            for x in network.list_sites(s, actor=actor)
        }


def _timeline(items: list[export.PlanItem], labels: list[str]) -> list[dict[str, Any]]:
    """Per month: openings by kind, hours and vans added, and what that month costs."""
    months: list[dict[str, Any]] = [
        {"label": m, "openings": {}, "hours": 0.0, "vans": 0, "reception": 0.0, "places": []}
        for m in labels
    ]
    hours: dict[tuple[str, str], float] = {}
    vans: dict[str, float] = {}
    for i in items:
        month = months[i.month]
        if i.kind in ("centre", "authorised_outlet", "van_base"):
            month["openings"][i.kind] = month["openings"].get(i.kind, 0) + 1
            month["places"].append(i.name)
        elif i.kind == "technician_hours":
            key = (i.site, i.skill)
            month["hours"] += i.quantity - hours.get(key, 0.0)
            hours[key] = i.quantity
        elif i.kind == "vans":
            month["vans"] += int(i.quantity - vans.get(i.site, 0.0))
            vans[i.site] = i.quantity
    return [m for m in months if m["openings"] or m["hours"] or m["vans"]]


@router.get("/planning/scenarios/{scenario_id}")
def scenario_page(page: Viewer, scenario_id: int, done: str = "", rows: str = "") -> Response:
    actor = _planner(page)
    chosen = _one(page, actor, scenario_id)
    items = export.plan_items(chosen.result, chosen.params, _sites_by_code(page, actor))
    result = chosen.result
    labels = list(result["horizon"]["months"])
    openings = [i for i in items if i.kind in ("centre", "authorised_outlet", "van_base")]
    steps = [i for i in items if i not in openings]
    show_all = rows == "all"
    zh = studio.province_names_zh()
    return _render(
        page,
        "planning/scenario.html",
        s=chosen,
        r=result,
        misses=_misses(page, result),
        skill_name=lambda code: _skill(page, code),
        province_name=lambda name: page.pick(zh.get(name, ""), name),
        notice=page.t("planning.saved", name=chosen.name) if done == "saved" else None,
        openings=openings if show_all else openings[:ROWS_SHOWN],
        openings_total=len(openings),
        steps=steps if show_all else steps[:ROWS_SHOWN],
        steps_total=len(steps),
        show_all=show_all,
        timeline=_timeline(items, labels),
        cost_svg=Markup(  # noqa: S704 - built by svg_chart, every text escaped
            svg_chart.cost_bars(
                [float(x) for x in result["monthly_cost"]],
                labels,
                title=page.t("planning.cost_chart"),
                money=page.t("planning.money_m"),
            )
        ),
        coverage_end=result["coverage_by_month"][-1] if result["coverage_by_month"] else None,
        worst_after=_worst_after(result),
    )


def _skill(page: Page, code: str) -> str:
    """A skill by its name in the page's language; one of the planner's own (``rates``) by its
    code."""
    key = f"planning.skill.{code}"
    name = page.t(key)
    return code if name == key else name


def _days(value: float) -> str:
    """Days to a tenth under ten: a 3.4-day lead must not read as within a 3-day target."""
    return f"{round(value, 1):g}" if abs(value) < 10 else f"{value:,.0f}"


def _miss(
    page: Page,
    horizon: Mapping[str, Any],
    miss: Mapping[str, Any],
    new_sites: Mapping[str, Mapping[str, Any]],
) -> str:
    """One place where a plan misses a target, in the page's language (KeyError and the like
    on figures this version cannot read)."""
    kind, place, f = miss["kind"], str(miss.get("place") or ""), miss["figures"]
    place = str(new_sites.get(place, {}).get("name", place))
    if kind in ("coverage", "mobile_reach"):
        values = {
            "month": horizon["months"][int(f["month"])],
            "share": f"{float(f['share']):.{1 if kind == 'coverage' else 2}%}",
        }
        if kind == "coverage":
            values["minutes"] = f"{float(f['minutes']):g}"
            values["target"] = f"{float(f['target']) * 100:g}%"
        return page.t(f"planning.miss.{kind}", **values)
    if kind == "lead":
        week = int(f["week"])
        return page.t(
            "planning.miss.lead",
            place=place,
            skill=_skill(page, str(f["skill"])),
            days=_days(float(f["days"])),
            week=week,
            date=i18n.fmt_short_date(page.lang, date.fromisoformat(horizon["week_starts"][week])),
        )
    return page.t(
        "planning.miss.site_hours",
        place=place,
        hours=f"{float(f['hours']):,.0f}",
        room=f"{float(f['room']):,.0f}",
    )


def _misses(page: Page, result: Mapping[str, Any]) -> list[str]:
    """Where a saved plan misses its targets, in the page's language: the first
    ``MISSES_SHOWN``, then how many more. ``misses`` holds them as data beside the English
    ``problems``, in the same order; a plan saved before it (or one this version cannot read)
    shows the English as saved."""
    problems = [str(p) for p in result.get("problems") or ()]
    misses = result.get("misses")
    opened = export.new_sites(result)
    if not isinstance(misses, list):
        misses = [{"kind": ""}] * len(problems)
    shown = []
    for k, miss in enumerate(misses[:MISSES_SHOWN]):
        english = problems[k] if k < len(problems) else ""
        try:
            known = isinstance(miss, Mapping) and miss.get("kind") in MISS_KINDS
            shown.append(_miss(page, result["horizon"], miss, opened) if known else english)
        except (KeyError, IndexError, TypeError, ValueError):
            shown.append(english)
    if len(misses) > len(shown):
        shown.append(page.t("planning.miss_more", n=f"{len(misses) - len(shown):,}"))
    return [x for x in shown if x]


def _worst_after(result: dict[str, Any]) -> float | None:
    tail = [x for x in result["worst_lead_days_by_week"][result["settle_week"] :] if x is not None]
    return max(tail, default=None)


def _one(page: Page, actor: Actor, scenario_id: int) -> ScenarioRead:
    if not 1 <= scenario_id <= MAX_ID:
        raise NotFoundError("scenario", scenario_id)
    with page.db.unit_of_work(write=False) as s:
        return ScenarioRead.model_validate(
            service.get_scenario(s, actor=actor, scenario_id=scenario_id)
        )


def _filename(scenario: ScenarioRead) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", scenario.name).strip("-").lower()[:40]
    return f"plan-{scenario.id}{'-' + slug if slug else ''}"


@router.get("/planning/scenarios/{scenario_id}/plan.csv")
def plan_csv(page: Viewer, scenario_id: int) -> Response:
    actor = _planner(page)
    chosen = _one(page, actor, scenario_id)
    items = export.plan_items(chosen.result, chosen.params, _sites_by_code(page, actor))
    return _download(export.plan_csv(items), "text/csv; charset=utf-8", f"{_filename(chosen)}.csv")


@router.get("/planning/scenarios/{scenario_id}/plan.geojson")
def plan_geojson(page: Viewer, scenario_id: int) -> Response:
    actor = _planner(page)
    chosen = _one(page, actor, scenario_id)
    items = export.plan_items(chosen.result, chosen.params, _sites_by_code(page, actor))
    return _download(
        export.plan_geojson(items, name=chosen.name),
        "application/geo+json",
        f"{_filename(chosen)}.geojson",
    )


# --- comparison ------------------------------------------------------------------------------

_FIGURES = {
    "vehicles at end": "vehicles",
    "meets targets": "meets",
    "total cost": "total_cost",
    "new centres": "centres",
    "new outlets": "outlets",
    "new van bases": "van_bases",
    "extra technician hours a week (end)": "hours",
    "vans added": "vans",
    "coverage at end": "coverage",
    "worst lead after settling (days)": "worst_lead",
    "cost: centre": "cost_centre",
    "cost: authorised_outlet": "cost_outlet",
    "cost: van_base": "cost_van_base",
    "cost: vans": "cost_vans",
    "cost: technician_hours": "cost_hours",
    "cost: reception": "cost_reception",
}


@router.get("/planning/compare")
def compare_page(
    page: Viewer, ids: Annotated[list[str] | None, Query(max_length=10)] = None
) -> Response:
    actor = _planner(page)
    chosen = [n for n in (_int(x) for x in ids or []) if n is not None]
    if len(chosen) < 2:
        with page.db.unit_of_work(write=False) as s:
            saved = [
                ScenarioSummary.model_validate(x)
                for x in service.list_scenarios(s, actor=actor, limit=100)
            ]
        return _render(
            page,
            "planning/scenarios.html",
            status=422,
            scenarios=saved,
            form=Parsed(dict.fromkeys(PLAN_FIELDS, ""), None, {}),
            name="",
            name_error="",
            error=page.t("planning.pick_two"),
            error_places=[],
            idem=secrets.token_urlsafe(16),
            can_write=policy.allows(actor, "plan.write"),
        )
    with page.db.unit_of_work(write=False) as s:
        found, rows = service.compare_scenarios(s, actor=actor, scenario_ids=chosen)
        summaries = [ScenarioSummary.model_validate(x) for x in found]
        monthly = [list(x.result["monthly_cost"]) for x in found]
        labels = [list(x.result["horizon"]["months"]) for x in found]
    shown = []
    for row in rows:
        key = _FIGURES.get(row["figure"])
        values = row["values"]
        numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        best = min(numbers) if numbers and (key or "").startswith(("cost", "total")) else None
        shown.append(
            {
                "key": key or row["figure"],
                "label": page.t(f"planning.figure.{key}") if key else row["figure"],
                "values": values,
                "best": best,
            }
        )
    bars = [
        Markup(  # noqa: S704 - built by svg_chart, every text escaped
            svg_chart.cost_bars(
                [float(v) for v in m],
                lab,
                title=page.t("planning.cost_chart_of", name=x.name),
                money=page.t("planning.money_m"),
                width=320,
            )
        )
        for m, lab, x in zip(monthly, labels, summaries, strict=True)
    ]
    return _render(page, "planning/compare.html", scenarios=summaries, rows=shown, bars=bars)
