from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from matplotlib.image import imread

from bot.render.chart import ERROR_COLOUR, WARNING_COLOUR, ChartSeries, chart_series, render_chart
from engine.digest.alerts import Thresholds
from tests.bot.render.digests import NOW, demo_digest, demo_inputs

ROOT = Path(__file__).resolve().parents[3]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def has_colour(data: bytes, hex_colour: str, *, tolerance: float = 0.06) -> bool:
    pixels = imread(io.BytesIO(data))[:, :, :3]
    wanted = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    close = (abs(pixels - wanted) <= tolerance).all(axis=2)
    return bool(close.sum() > 30)


@pytest.fixture(scope="module")
def demo_series():
    return chart_series(demo_digest(), demo_inputs()[2])


def test_the_chart_shows_the_digests_worst_series_first_with_their_history(demo_series):
    assert [s.label for s in demo_series] == [
        "retail-flannel · pods CIDR 10.244.0.0/21",
        "payments-native · payments-native-pods",
        "analytics · analytics-pods",
        "platform-healthy · platform-healthy-pods",
    ]
    assert [s.days_to_full for s in demo_series] == [18.8, 26.7, None, None]
    payments = demo_series[1].points
    assert len(payments) == 30 * 96
    assert payments[-1] == (NOW, round(416 / 509, 4))
    assert payments == sorted(payments)


def test_fewer_series_on_request(demo_series):
    assert chart_series(demo_digest(), demo_inputs()[2], limit=2) == demo_series[:2]


def test_the_chart_is_a_png_with_the_alert_marks_and_the_series_drawn(demo_series):
    data = render_chart(demo_series, thresholds=Thresholds(), now=NOW, title="Pod-network utilization (demo)")
    assert png_size(data) == (1100, 572)
    assert has_colour(data, WARNING_COLOUR)
    assert has_colour(data, ERROR_COLOUR)
    assert has_colour(data, "#1f5fa8")  # the first series
    assert has_colour(data, "#7b3294")  # the second


def test_the_same_digest_draws_the_same_bytes(demo_series):
    first = render_chart(demo_series, thresholds=Thresholds(), now=NOW)
    assert render_chart(demo_series, thresholds=Thresholds(), now=NOW) == first


def test_no_history_still_draws_a_chart_that_says_so():
    data = render_chart([], thresholds=Thresholds(), now=NOW)
    assert png_size(data) == (1100, 572)
    assert has_colour(data, ERROR_COLOUR)


def test_a_forecast_beyond_sixty_days_is_drawn_to_the_edge():
    points = [(NOW - timedelta(hours=h), 0.5) for h in range(48, -1, -1)]
    near = render_chart([ChartSeries("a", points, 10.0)], thresholds=Thresholds(), now=NOW)
    far = render_chart([ChartSeries("a", points, 400.0)], thresholds=Thresholds(), now=NOW)
    assert near != far
    assert png_size(far) == (1100, 572)


def run_python(code: str, env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_importing_the_chart_module_does_not_load_matplotlib():
    out = run_python("import sys, bot.render.chart; print('matplotlib' in sys.modules)", {})
    assert out.strip() == "False"


def test_matplotlib_writes_its_cache_only_where_mplconfigdir_says(tmp_path):
    config, home = tmp_path / "mpl", tmp_path / "home"
    config.mkdir()
    home.mkdir()
    code = (
        "from datetime import datetime, UTC\n"
        "from bot.render.chart import ChartSeries, render_chart\n"
        "from engine.digest.alerts import Thresholds\n"
        "now = datetime(2026, 11, 26, tzinfo=UTC)\n"
        "print(len(render_chart([ChartSeries('a', [(now, 0.5)], None)], thresholds=Thresholds(), now=now)))\n"
    )
    out = run_python(code, {"MPLCONFIGDIR": str(config), "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"),
                            "XDG_CONFIG_HOME": str(home / ".config")})
    assert int(out) > 1000
    assert any(config.iterdir())
    assert not any(home.rglob("*"))
