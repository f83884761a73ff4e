"""The studio's SVG renderers on their own: well-formed, escaped, oriented, scaled."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from pitstop.planning import svg_chart, svg_map
from pitstop.planning.export import plan_items

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own renderer's output, under test


def _first_xy(d: str) -> tuple[float, float]:
    found = re.match(r"M([\d.]+),([\d.]+)", d)
    assert found
    return float(found.group(1)), float(found.group(2))


def test_map_puts_north_up_and_east_right() -> None:
    points = [
        svg_map.Point(45.0, 100.0, 10, False, "north-west"),
        svg_map.Point(25.0, 120.0, 10, False, "south-east"),
    ]
    drawn = _parse(svg_map.render(points, [], title="t").svg)
    cells = {
        c.findtext(f"{SVG}title", "").split(" ·")[0]: _first_xy(c.get("d", ""))
        for c in drawn.iter(f"{SVG}path")
        if c.findtext(f"{SVG}title")
    }
    nw, se = cells["north-west"], cells["south-east"]
    assert nw[0] < se[0] and nw[1] < se[1]


def test_map_shades_heavier_cells_darker_and_marks_gaps() -> None:
    points = [
        svg_map.Point(30.0, 110.0, 1, True, "village"),
        svg_map.Point(31.0, 121.0, 5000, False, "city"),
    ]
    drawn = svg_map.render(points, [], title="t")
    assert drawn.classes[0].low == 1 and drawn.classes[-1].high >= 5000
    tree = _parse(drawn.svg)
    fills = {
        c.findtext(f"{SVG}title", "").split(" ·")[0]: (c.get("fill"), c.get("data-gap"))
        for c in tree.iter(f"{SVG}path")
        if c.findtext(f"{SVG}title")
    }
    assert fills["village"] == (svg_map.DENSITY[0], "1")
    assert fills["city"] == (svg_map.DENSITY[-1], None)
    assert drawn.gap_cells == 1


def test_map_escapes_names_and_draws_proposed_sites_apart() -> None:
    sites = [svg_map.Marker(31.2, 121.5, "centre", "<b>&Shanghai</b>")]
    proposed = [svg_map.Marker(30.7, 111.3, "authorised_outlet", "Yichang")]
    drawn = svg_map.render([], sites, proposed, title="a & b")
    tree = _parse(drawn.svg)  # would fail on an unescaped name
    assert tree.get("aria-label") == "a & b"
    assert "<b>" not in drawn.svg
    (new,) = tree.find(f"{SVG}g[@class='proposed']") or []
    assert new.get("data-kind") == "authorised_outlet"
    assert new[0].get("fill") == svg_map.PROPOSED


def test_chart_draws_target_at_its_height_and_breaks_on_unknown_weeks() -> None:
    svg = svg_chart.lead_chart(
        [svg_chart.Series("lead", [1.0, 2.0, None, 8.0, 9.0])],
        target=3.0,
        title="t",
        ticks=[(0, "Nov")],
        height=150,
    )
    tree = _parse(svg)
    lines = tree.findall(f"{SVG}polyline")
    assert len(lines) == 2  # the unknown week splits the line
    target = tree.find(f"{SVG}line[@class='target']")
    assert target is not None
    # y axis up to nice_ceiling(max(9, 6)) = 10 over the plot height (150 - 10 - 20 = 120).
    assert float(target.get("y1", "0")) == round(10 + 120 * (1 - 3 / 10), 1)


def test_nice_ceiling() -> None:
    assert [svg_chart.nice_ceiling(x) for x in (0.5, 3, 6, 9, 11, 240, 660)] == [
        1,
        5,
        10,
        10,
        20,
        250,
        1000,
    ]


def test_plan_items_add_up_to_the_plan_total() -> None:
    result = {
        "horizon": {"months": ["2026-11", "2026-12", "2027-01"], "weeks": 13},
        "openings": [
            {
                "kind": "authorised_outlet",
                "name": "Yichang",
                "province": "Hubei",
                "latitude": 30.7,
                "longitude": 111.3,
                "month": 1,
                "month_label": "2026-12",
                "reason": "r",
                "at_site": None,
            }
        ],
        "technician_hours": [
            {
                "site": "WH",
                "skill": "repair",
                "month": 0,
                "month_label": "2026-11",
                "hours_per_week": 8,
            },
            {
                "site": "WH",
                "skill": "repair",
                "month": 2,
                "month_label": "2027-01",
                "hours_per_week": 16,
            },
        ],
        "vans": [
            {"site": "WH", "month": 0, "month_label": "2026-11", "vans": 1},
            {"site": "WH", "month": 1, "month_label": "2026-12", "vans": 3},
        ],
        "dropoffs": [{"site": "WH", "month": 1, "month_label": "2026-12", "per_week": 7}],
    }
    params = {
        "outlet_open": 500.0,
        "outlet_month": 50.0,
        "technician_hour": 10.0,
        "van_open": 300.0,
        "van_month": 25.0,
        "dropoff_week": 4.0,
    }
    items = plan_items(result, params, {"WH": (30.6, 114.3, "Hubei")})
    by_kind = {i.kind: 0.0 for i in items}
    for i in items:
        by_kind[i.kind] += i.cost
    weeks_in_month = 13 / 3
    assert by_kind["authorised_outlet"] == 500 + 50 * 2
    assert by_kind["technician_hours"] == (8 * 2 + 16 * 1) * weeks_in_month * 10
    assert by_kind["vans"] == (1 * 300 + 1 * 25) + (2 * 300 + 3 * 25 * 2)
    assert by_kind["reception"] == 7 * weeks_in_month * 4 * 2
    assert [i.month for i in items] == sorted(i.month for i in items)
    assert all(i.latitude == 30.6 for i in items if i.name == "WH")
