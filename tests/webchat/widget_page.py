"""The widget as a person uses it, for the browser tests (Playwright's CSS locators pierce the
widget's shadow root)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page

from bench.persona import EVERYDAY, Person, question_buttons

SCREENSHOTS = Path(__file__).resolve().parents[2] / "results" / "webchat"


class Widget:
    """What a person sees and does in the widget (Playwright's CSS locators pierce its shadow root)."""

    def __init__(self, page: Page, base_url: str):
        self.page, self.base_url = page, base_url

    def open_demo(self) -> "Widget":
        self.page.goto(self.base_url + "/")
        return self

    @property
    def launcher(self):
        return self.page.locator(".lanceur")

    @property
    def panel(self):
        return self.page.locator(".panneau")

    @property
    def input(self):
        return self.page.get_by_label("Votre message")

    def bubbles(self, who: str = ""):
        return self.page.locator(f".bulle{'.' + who if who else ''}")

    def texts(self, who: str = "") -> list[str]:
        """Each bubble's visible text, without the "Vous :" said only to screen readers."""
        return self.bubbles(who).evaluate_all(
            "bs => bs.map(b => [...b.children].filter(c => !c.classList.contains('sr'))"
            ".map(c => c.innerText).join('\\n').trim())")

    def wait_answer(self, before: int) -> None:
        """Until more bubbles than `before`, the last from the assistant, nothing pending."""
        self.page.wait_for_function(
            """n => { const r = document.querySelector('#spro-assistant').shadowRoot;
                      const b = r.querySelectorAll('.bulle');
                      return b.length > n && !b[b.length - 1].classList.contains('personne')
                             && !r.querySelector('.statut').classList.contains('ecrit'); }""",
            arg=before)

    def open(self) -> None:
        self.launcher.click()
        self.wait_answer(0)

    def type(self, text: str) -> None:
        before = self.bubbles().count()
        self.input.fill(text)
        self.page.get_by_role("button", name="Envoyer").click()
        self.wait_answer(before + 1)

    def click_reply(self, title: str) -> None:
        before = self.bubbles().count()
        self.page.locator(".boutons").get_by_role("button", name=title, exact=True).click()
        self.wait_answer(before + 1)

    def stored(self) -> dict:
        return self.page.evaluate(
            "k => JSON.parse(sessionStorage.getItem(k))", f"spro-assistant:{self.base_url}")

    @property
    def conversation(self) -> str:
        return self.stored()["conversation"]

    def shadow_eval(self, script: str, arg=None):
        """Evaluates `script` (a function of the shadow root and arg) in the page."""
        return self.page.evaluate(
            f"([a]) => ({script})(document.querySelector('#spro-assistant').shadowRoot, a)", [arg])


def answer_until_card(widget: Widget, gateway, person: Person = EVERYDAY, max_turns: int = 8) -> list[str]:
    """`person` answers each pending question (read from the API) until the orientation card shows:
    clicks the quick reply that says its answer, else types."""
    asked = []
    for _ in range(max_turns):
        if widget.page.locator(".carte", has_text="Votre orientation").count():
            return asked
        slot = gateway.get(f"/api/conversations/{widget.conversation}").json()["state"]["requested_slot"]
        assert slot and slot not in asked, f"no progress: asked {asked}, now {slot}"
        asked.append(slot)
        shown = widget.page.locator(".boutons button").all_inner_texts()
        answer = person.answer(slot, [b for b in question_buttons(slot) if b["title"] in shown])
        if answer.title:
            widget.click_reply(answer.title)
        else:
            assert answer.text, f"{slot}: no button to say {answer.payload}"
            widget.type(answer.text)
    pytest.fail(f"no orientation card after {asked}")


def axe_violations(page: Page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, "resultTypes": ["violations"]})
    return [f"{v['id']}: {json.dumps([n['target'] for n in v['nodes']])[:300]}"
            for v in results.response["violations"]]
