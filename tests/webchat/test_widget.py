"""The widget on the demo page, in headless Chromium, against the really running assistant."""
from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from bench.persona import EVERYDAY, question_buttons, reference_situations
from tests.webchat.widget_page import SCREENSHOTS, Widget, answer_until_card, axe_violations

pytestmark = pytest.mark.stack

FIRST = "Bonjour, je viens d'être licenciée, j'ai 45 ans et j'habite à Bourges."


@pytest.fixture
def widget(page, stack) -> Widget:
    return Widget(page, stack.settings.gateway_url).open_demo()


def test_a_person_reaches_an_orientation_card_with_the_mouse(widget, gateway):
    requests, sockets = [], []
    widget.page.on("request", lambda r: requests.append(r.url))
    widget.page.on("websocket", lambda ws: sockets.append(ws.url))
    expect(widget.panel).to_be_hidden()
    widget.open()
    assert "assistant automatique" in widget.texts("assistant")[0]
    widget.type(FIRST)
    answer_until_card(widget, gateway)

    card = widget.page.locator(".carte", has_text="Votre orientation")
    # the payload's sentences (worded by the server, as on every channel), laid out as they are
    expect(card.locator(".porte")).to_have_text("Je vous conseille de vous adresser à : France Travail.")
    expect(card.get_by_role("heading", name="Pourquoi")).to_be_visible()
    expect(card.get_by_role("heading", name="Où vous adresser")).to_be_visible()
    expect(card.locator(".aide")).to_have_text(
        "Donnez ce code à la structure ou à Etoile Info (0 800 222 100) : vous n'aurez pas à tout "
        "réexpliquer. Il ne contient aucune information sur votre identité.")
    expect(card.locator(".aide a")).to_have_attribute("href", "tel:0800222100")
    code = card.locator(".code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{8}", code)
    assert gateway.get(f"/api/liaison/{code}").json()["orientation"]["reseaux"][0] == "france-travail"
    for href in card.locator("a").evaluate_all("as => as.map(a => a.getAttribute('href'))"):
        assert href.startswith(("https://", "tel:")), href
    card.get_by_role("button", name="Copier le code").click()
    expect(widget.page.locator(".statut")).to_contain_text(code)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    widget.page.screenshot(path=str(SCREENSHOTS / "widget-orientation.png"))

    own = urlsplit(widget.base_url).netloc
    assert requests and all(urlsplit(u).netloc == own for u in requests), "a third-party request"
    assert sum(u.endswith("/api/conversations") for u in requests) == 1  # one conversation, not two
    assert [u for u in requests if "/api/" in u and not u.endswith("/api/conversations")] == []  # nothing to look up
    assert len(sockets) == 1 and urlsplit(sockets[0]).netloc == own  # and one socket


def test_keyboard_only(widget, gateway):
    page = widget.page
    for _ in range(20):  # Tab through the host page until the launcher has the focus
        page.keyboard.press("Tab")
        if widget.shadow_eval("r => r.activeElement && r.activeElement.className") == "lanceur":
            break
    else:
        pytest.fail("the launcher cannot be reached with Tab")
    page.keyboard.press("Enter")
    expect(widget.panel).to_be_visible()
    expect(widget.input).to_be_focused()
    widget.wait_answer(0)

    page.keyboard.type("je suis au chômage, j'ai 45 ans, j'habite à Tours")
    before = widget.bubbles().count()
    page.keyboard.press("Enter")
    widget.wait_answer(before + 1)
    for _ in range(6):  # answer each question with Shift+Tab to its button, then Space or Enter
        if page.locator(".carte", has_text="Votre orientation").count():
            break
        slot = gateway.get(f"/api/conversations/{widget.conversation}").json()["state"]["requested_slot"]
        wanted = EVERYDAY.answer(slot, question_buttons(slot)).title
        for _ in range(15):
            page.keyboard.press("Shift+Tab")
            if widget.shadow_eval("r => r.activeElement && r.activeElement.textContent") == wanted:
                break
        else:
            pytest.fail(f"no focusable button {wanted!r}")
        before = widget.bubbles().count()
        page.keyboard.press("Space")
        widget.wait_answer(before + 1)
    expect(page.locator(".carte", has_text="Votre orientation")).to_contain_text("France Travail")

    page.keyboard.press("Escape")
    expect(widget.panel).to_be_hidden()
    assert widget.shadow_eval("r => r.activeElement.className") == "lanceur"


def test_reload_keeps_the_conversation(widget, gateway):
    widget.open()
    widget.type("j'ai 19 ans et je voudrais trouver un apprentissage")
    shown, conversation = widget.texts(), widget.conversation
    widget.page.reload()
    expect(widget.panel).to_be_visible()  # it was open: it reopens
    assert widget.texts() == shown
    assert widget.conversation == conversation
    widget.type("Orléans")
    profil = gateway.get(f"/api/conversations/{conversation}").json()["state"]["profil"]
    assert profil["age"] == 19 and profil["commune"] == "45234"


def test_forget_me_deletes_the_conversation(widget, gateway):
    widget.open()
    widget.type("j'ai 24 ans")
    conversation = widget.conversation
    widget.page.get_by_role("button", name="Effacer mes données").click()
    expect(widget.bubbles("systeme")).to_contain_text("Vos données ont été effacées")
    assert gateway.get(f"/api/conversations/{conversation}").status_code == 404
    assert widget.texts() == [widget.texts()[-1]]
    widget.type("bonjour")  # and a new, empty conversation starts
    assert widget.conversation != conversation


HOSTILE = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


def test_markup_from_the_person_or_the_bot_stays_inert(widget):
    def hostile_bot(ws):
        server = ws.connect_to_server()

        def to_page(message):
            frame = json.loads(message)
            if frame.get("type") == "reply":
                frame["messages"].append({"text": HOSTILE + " javascript:alert(1) https://ok.example/x"})
                frame["messages"].append({"custom": {"type": "orientation", "orientation": {
                    "reseaux": ["<b>x</b>"], "raisons": [{"texte": HOSTILE}],
                    "lieux": [{"nom": HOSTILE, "site_web": "javascript:window.__xss=3",
                               "telephone": "<i>02</i>"}], "code_liaison": "<u>K</u>",
                    "annuaire": {"<b>x</b>": {"nom": HOSTILE, "site_web": "javascript:window.__xss=5"}},
                    "textes": {key: HOSTILE for key in ("porte", "autres_portes", "cep", "pourquoi",
                                                        "lieux", "code", "suite")}}}})
                frame["messages"].append({"custom": {"type": "fiche", "fiche": {
                    "titre": HOSTILE, "texte": HOSTILE, "lien": "javascript:window.__xss=4"}}})
            ws.send(json.dumps(frame))

        ws.on_message(lambda m: server.send(m))
        server.on_message(to_page)

    widget.page.route_web_socket(re.compile(r".*/ws(\?.*)?$"), hostile_bot)
    widget.open()
    widget.type(HOSTILE)
    assert HOSTILE in widget.texts("personne")[0]  # shown as typed, as text
    assert HOSTILE in "".join(widget.texts("assistant"))
    assert widget.page.evaluate("window.__xss") is None
    journal = widget.page.locator(".journal")
    assert journal.locator("img, script, b, i, u").count() == 0
    hrefs = journal.locator("a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert hrefs and all(re.match(r"^(https:|tel:|mailto:)", h) for h in hrefs), hrefs
    assert "https://ok.example/x" in hrefs


def test_the_orientation_card_is_laid_out_from_the_payload_fields_only(widget):
    """Whatever the server worded is what the card shows, in place: the widget has no sentence of
    its own about an orientation and looks nothing up."""
    textes = {"porte": "Porte T.", "autres_portes": "Autres T.", "cep": "CEP T.", "pourquoi": "Raisons T",
              "lieux": "Lieux T", "code": "Code T", "suite": "Suite T : 0 800 222 100."}

    def worded(ws):
        server = ws.connect_to_server()

        def to_page(message):
            frame = json.loads(message)
            if frame.get("type") == "reply" and len(frame["messages"]) and "bienvenue" not in message:
                frame["messages"] = [{"text": "texte brut", "custom": {"type": "orientation", "orientation": {
                    "reseaux": ["cma"], "operateur_cep": "cep-actifs-occupes", "profil": {},
                    "raisons": [{"regle": "r", "texte": "Raison T."}],
                    "lieux": [{"nom": "Lieu T", "reseau": "cma", "commune": "Tours"}],
                    "code_liaison": "K7M2QX9P", "annuaire": {"cma": {"nom": "Nom T", "site_web": None}},
                    "autres_portes": [], "cep_a_part": True, "contact": {}, "textes": textes}}}]
            ws.send(json.dumps(frame))

        ws.on_message(lambda m: server.send(m))
        server.on_message(to_page)

    widget.page.route_web_socket(re.compile(r".*/ws(\?.*)?$"), worded)
    widget.open()
    widget.type("j'ai 19 ans")
    card = widget.page.locator(".carte", has_text="Votre orientation")
    assert card.locator("p").all_inner_texts()[:3] == ["Porte T.", "Autres T.", "CEP T."]
    assert card.locator("h4").all_inner_texts() == ["Raisons T", "Lieux T"]
    expect(card.locator(".liaison")).to_contain_text("Code T : K7M2QX9P")
    expect(card.locator(".aide")).to_have_text("Suite T : 0 800 222 100.")
    expect(card).not_to_contain_text("texte brut")


def test_a_dropped_connection_loses_nothing_and_duplicates_nothing(widget, gateway):
    """The reply to a message is lost with the connection: the widget reconnects, resends the
    message with its id, and the gateway answers from its record instead of asking Rasa twice."""
    connections, replies = [], []

    def flaky(ws):
        connections.append(ws)
        server = ws.connect_to_server()
        if len(connections) > 1:
            return  # later connections: plain pass-through

        def to_page(message):
            if json.loads(message).get("type") == "reply":
                replies.append(message)
                if len(replies) == 2:  # the welcome passes; the next reply is lost with the line
                    ws.close(code=4000)
                    return
            ws.send(message)

        ws.on_message(lambda m: server.send(m))
        server.on_message(to_page)

    widget.page.route_web_socket(re.compile(r".*/ws(\?.*)?$"), flaky)
    widget.open()
    widget.type("j'ai 24 ans")
    assert len(connections) == 2
    assert widget.texts("personne") == ["j'ai 24 ans"]
    assert len(widget.texts("assistant")) == 2  # the welcome and one answer, not two
    transcript = gateway.get(f"/api/conversations/{widget.conversation}").json()["transcript"]
    typed = [l["texte"] for l in transcript if l["de"] == "personne" and l["texte"] != "/greet"]
    assert typed == ["j'ai 24 ans"]  # Rasa heard it once


def test_gateway_down_then_back(page, spare_gateway):
    spare = spare_gateway()
    widget = Widget(page, spare.url).open_demo()
    widget.open()
    spare.stop()
    expect(widget.bubbles("systeme")).to_contain_text("0 800 222 100", timeout=30_000)
    spare.start()
    expect(widget.page.locator(".statut")).to_have_text("Connexion rétablie.", timeout=30_000)
    widget.type("j'ai 30 ans")
    profil = widget.page.request.get(f"{spare.url}/api/conversations/{widget.conversation}").json()
    assert profil["state"]["profil"]["age"] == 30


def test_rasa_down_shows_the_polite_fallback(page, spare_gateway, free_port):
    spare = spare_gateway(SPRO_RASA_URL=f"http://127.0.0.1:{free_port()}")
    widget = Widget(page, spare.url).open_demo()
    widget.open()
    assert "0 800 222 100" in widget.texts("assistant")[-1]
    assert "indisponible" in widget.texts("assistant")[-1]


def test_accessibility_zero_axe_violations(widget, gateway):
    page = widget.page
    assert axe_violations(page) == [], "closed widget"
    widget.open()
    assert axe_violations(page) == [], "open panel"
    widget.type(FIRST)
    answer_until_card(widget, gateway)
    assert axe_violations(page) == [], "panel with an orientation card"
    page.emulate_media(forced_colors="active")
    assert axe_violations(page) == [], "forced colours (high contrast)"


@pytest.mark.parametrize("width, height, name", [
    (320, 640, "320px"),  # a small phone (WCAG 1.4.10 reflow)
    (640, 400, "zoom-200"),  # a 1280 x 800 screen at 200 % zoom
])
def test_small_screens_and_zoom_without_horizontal_scrolling(browser, stack, gateway, width, height, name):
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": height})
    try:
        widget = Widget(context.new_page(), stack.settings.gateway_url).open_demo()
        widget.open()
        apprentissage = reference_situations()[1]
        widget.type(apprentissage.words)
        answer_until_card(widget, gateway, apprentissage.person)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        widget.page.screenshot(path=str(SCREENSHOTS / f"widget-{name}.png"))
        expect(widget.input).to_be_in_viewport()
        overflow = widget.shadow_eval("""r => {
            const wide = [...r.querySelectorAll('.panneau *')].filter(
                e => e.getBoundingClientRect().right > innerWidth + 0.5);
            return {page: document.documentElement.scrollWidth - innerWidth,
                    journal: r.querySelector('.journal').scrollWidth - r.querySelector('.journal').clientWidth,
                    wide: wide.map(e => e.tagName + '.' + e.className)}; }""")
        assert overflow == {"page": 0, "journal": 0, "wide": []}
    finally:
        context.close()
