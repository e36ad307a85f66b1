"""The web page in real headless Chromium: paste the seed article, submit, see highlights, claims and sources.

Needs Debian's chromium and chromium-driver and the selenium package (``.ci/run`` installs them); the service runs
in-process on a free loopback port with every registered analyzer.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.service.browser import (
    analyse_in_page,
    ask_about_passage,
    browser_missing,
    chromium,
    live_server,
    select_passage,
)
from veracity.config import ServiceSettings, Settings
from veracity.pipeline import Pipeline
from veracity.service.app import create_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

_missing = browser_missing()
if _missing:
    pytestmark.append(pytest.mark.skip(reason=_missing))


def test_seed_article_in_the_page(full_pipeline: Pipeline, seed_text: str, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    layers = set(full_pipeline.layer_names)
    app = create_app(Settings(), full_pipeline, ServiceSettings(threads=2))
    with live_server(app) as base, chromium(1280, 1500) as driver:
        driver.get(base + "/")
        body = driver.find_element(By.TAG_NAME, "body")
        body.send_keys(Keys.TAB)
        assert driver.switch_to.active_element.get_attribute("class") == "skip"  # keyboard users can skip ahead

        analyse_in_page(driver, base, seed_text)
        # the page opens at the results, which lead with the findings
        assert driver.execute_script("return window.location.hash") == "#results"
        top = driver.execute_script("return document.getElementById('results').getBoundingClientRect().top")
        assert abs(top) < 5, top
        findings = driver.find_elements(By.CSS_SELECTOR, "#findings li.finding")
        assert findings and "high" in (findings[0].get_attribute("class") or "")
        article = driver.find_element(By.ID, "article")
        extra = article.find_elements(By.CSS_SELECTOR, "mark.extra")
        focused = [
            m for m in article.find_elements(By.TAG_NAME, "mark") if "extra" not in (m.get_attribute("class") or "")
        ]
        assert focused, "nothing the findings point at is highlighted"
        if extra:  # drawn plainly until the reader asks for every layer
            style = (
                "const s = getComputedStyle(arguments[0]);"
                "return [s.textDecorationLine, s.backgroundColor, s.fontStyle, s.outlineStyle].join(' ')"
            )
            plain = driver.execute_script(style, extra[0])
            driver.find_element(By.CSS_SELECTOR, "label[for=all-layers]").click()
            assert driver.execute_script(style, extra[0]) != plain
            driver.find_element(By.CSS_SELECTOR, "label[for=all-layers]").click()
        assert article.get_attribute("textContent") == seed_text  # the article is drawn exactly as analysed

        marks = article.find_elements(By.TAG_NAME, "mark")
        if "techniques" in layers:
            coloured = [m for m in marks if "t" in (m.get_attribute("class") or "").split()]
            assert coloured, "no technique passage is highlighted"
            colour = driver.execute_script("return getComputedStyle(arguments[0]).backgroundColor", coloured[0])
            assert colour not in ("rgba(0, 0, 0, 0)", "transparent")  # the stylesheet loaded under the CSP
            legend_rows = driver.find_elements(By.CSS_SELECTOR, "table.legend tbody tr")
            assert legend_rows and all(r.find_elements(By.TAG_NAME, "td")[2].text.strip() for r in legend_rows)
        if "claims" in layers:
            claims = driver.find_elements(By.CSS_SELECTOR, "ol.claims li.claim-item p")
            assert claims, "no claim is listed"
            report = full_pipeline.run(seed_text)
            ranked = sorted(report.layers["claims"].spans, key=lambda s: s.attrs.get("rank", 10**9))
            expected = [s for s in ranked if s.label == "checkworthy"][:5] or ranked[:5]
            for shown, span in zip(claims, expected, strict=False):  # listed in the report's rank order
                assert " ".join(span.text.split()) in " ".join(shown.text.split()), (shown.text, span.text)
        if "sources" in layers:
            rows = driver.find_elements(By.CSS_SELECTOR, "table.sources tbody tr")
            assert rows and any("sputnik" in r.text.lower() for r in rows), [r.text for r in rows]
        if not layers & {"techniques", "claims", "sources"}:
            pytest.skip("no techniques, claims or sources analyzer is registered in this checkout")
        assert marks
        marks[0].send_keys("")  # focus a highlighted passage from the keyboard: its explanation appears
        driver.execute_script("arguments[0].focus()", marks[0])
        tip = driver.execute_script("return getComputedStyle(arguments[0], '::after').content", marks[0])
        assert tip not in ("none", "normal", "") and len(tip) > 5

        # select a passage and ask which technique it uses
        phrase = "so-called ‘stabilization programs’"
        start = seed_text.index(phrase)
        selected = select_passage(driver, start, start + len(phrase))
        assert selected == phrase
        assert driver.find_element(By.ID, "passage").get_attribute("value") == phrase
        assert driver.find_element(By.ID, "passage-start").get_attribute("value") == str(start)
        ask_about_passage(driver)
        result = driver.find_element(By.ID, "passage-result")
        import veracity

        if hasattr(veracity, "classify_techniques"):
            assert result.find_elements(By.TAG_NAME, "li") or "No persuasion technique" in result.text, result.text
        else:
            assert "not available" in result.text

        severe = [
            e for e in driver.get_log("browser")
            if e.get("level") == "SEVERE" and not (e.get("source") == "network" and "/passage" in e.get("message", ""))
        ]  # fmt: skip
        assert not severe, severe  # no CSP violation, no script error, no failed asset
        driver.execute_script("document.getElementById('results').scrollIntoView();")
        shot = os.environ.get("VERACITY_SCREENSHOT") or str(tmp_path / "page.png")
        driver.save_screenshot(shot)
        assert Path(shot).stat().st_size > 10_000
        # a phone-width window: no horizontal scrollbar
        driver.set_window_size(420, 900)
        overflow = driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the page is {overflow} px wider than a 420 px window"
