"""The Telegram channel end to end: the fake Bot API plays the person, the real python-telegram-bot
client in a real gateway process answers through the real Rasa and action server."""
from __future__ import annotations

import json
import re
import sqlite3

import httpx
import pytest
import yaml

from bench.persona import EVERYDAY, Person, reference_situations
from bot.gateway.telegram import render
from bot.settings import ROOT
from knowledge.directory import load_reseaux
from tests.telegram.fake_bot_api import DEFAULT_TOKEN, Call, FakeBotApi

pytestmark = pytest.mark.stack

# The questions of the form, as the domain words them: how the test knows what is being asked.
_RESPONSES = yaml.safe_load((ROOT / "bot" / "domain" / "profil.yml").read_text(encoding="utf-8"))["responses"]
QUESTIONS = {_RESPONSES[f"utter_ask_{slot}"][0]["text"].strip(): slot
             for slot in ("besoin", "statut", "age", "metier", "secteur", "cadre", "handicap",
                          "contrat", "commune")}
REFERENCES = reference_situations()
# Another way of telling the apprenticeship situation, besides the one the gateway's tests say.
WORDS = {"situation-2-apprentissage-cuisine": "J'ai 19 ans, j'ai arrêté le lycée sans diplôme et je voudrais "
                                              "devenir cuisinier en apprentissage, j'habite à Orléans"}
CODE = re.compile(r"Votre code de liaison : ([A-Z0-9]{8})")


def question(call: Call) -> str | None:
    return QUESTIONS.get(call.text.strip())


def is_orientation(call: Call) -> bool:
    return render.RECOMMENCER[1] in call.callback_data()


def events(stack, conversation: str) -> list[dict]:
    with sqlite3.connect(stack.settings.data_dir / "tracker.db") as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ?", (conversation,)).fetchall()
    return [json.loads(row[0]) for row in rows]


def say(api: FakeBotApi, chat_id: int, text: str, match=lambda c: True, what: str = "") -> Call:
    mark = api.mark()
    api.send_text(chat_id, text)
    return api.wait_for_message(chat_id, mark, match, what=what or f"an answer to {text!r}")


def reply(api: FakeBotApi, chat_id: int, asking: Call, person: Person) -> None:
    """The person answers the question `asking` shows: presses one of its buttons, or types."""
    buttons = [{"title": b["text"], "payload": b["callback_data"]} for b in asking.buttons() if "callback_data" in b]
    answer = person.answer(question(asking), buttons)
    if answer.payload:
        assert answer.payload in asking.callback_data()
        api.press(asking, answer.payload)
    else:
        api.send_text(chat_id, answer.text)


def converse(api: FakeBotApi, chat_id: int, first: str, person: Person = EVERYDAY,
             max_turns: int = 8) -> tuple[Call, list[str]]:
    """bench.persona.converse over Telegram: `person` answers each question until the orientation
    arrives, pressing a button under the question or typing. Returns (message, asked)."""
    mark, asked = api.mark(), []
    api.send_text(chat_id, first)
    for _ in range(max_turns):
        call = api.wait_for_message(chat_id, mark, lambda c: is_orientation(c) or question(c) is not None,
                                    what=f"a question or the orientation after {asked}")
        if is_orientation(call):
            return call, asked
        slot = question(call)
        assert slot not in asked, f"asked {slot} twice"
        asked.append(slot)
        mark = api.mark()
        reply(api, chat_id, call, person)
    raise AssertionError(f"no orientation after {asked}")


def fiche(stack, message: Call) -> dict:
    """The fiche de liaison of the code the message shows, from the gateway's API."""
    code = CODE.search(message.text).group(1)
    r = httpx.get(f"{stack.settings.gateway_url}/api/liaison/{code}", timeout=30)
    assert r.status_code == 200
    return r.json()


def test_the_menu_of_commands_is_set_at_start(telegram_gateway, bot_api):
    [call] = bot_api.calls_of("setMyCommands")[-1:]
    assert [c["command"] for c in call.params["commands"]] == [
        "start", "recommencer", "conseiller", "oubli", "confidentialite", "aide"]


def test_start_gives_the_welcome_then_the_privacy_notice(telegram_gateway, bot_api, chat_id):
    mark = bot_api.mark()
    bot_api.send_text(chat_id, "/start")
    bot_api.wait_for_message(chat_id, mark, lambda c: c.text == render.PRIVACY, what="the privacy notice")
    welcome, privacy = [c.text for c in bot_api.messages(chat_id, mark)]
    for words in ("assistant automatique", "gratuit", "anonyme", "Centre-Val de Loire"):
        assert words in welcome
    assert "/oubli" in privacy and "anonyme" in privacy
    assert bot_api.calls_of("sendChatAction", since=mark)  # "typing…" while Rasa thinks


@pytest.mark.parametrize("reference", REFERENCES, ids=[r.id for r in REFERENCES])
def test_reference_situations_reach_the_orientation(stack, telegram_gateway, bot_api, chat_id, reference):
    message, asked = converse(bot_api, chat_id, WORDS.get(reference.id, reference.words), reference.person)
    orientation = fiche(stack, message)["orientation"]
    expected = reference.attendu
    assert orientation["reseaux"][:len(expected["reseaux"])] == expected["reseaux"]
    assert orientation["operateur_cep"] == expected["operateur_cep"]
    for slot in reference.shown:
        assert orientation["profil"][slot] == reference.person.profil[slot]
    # The message shows what the orientation says: the structures by name, the reasons, the code.
    names = {code: spec.reseau.nom for code, spec in load_reseaux().items()}
    for code in orientation["reseaux"]:
        assert names[code] in message.text
    # worded by the server (the payload's textes), the same sentences as on every channel
    lines = message.text.splitlines()
    assert f"Je vous conseille de vous adresser à : {names[orientation['reseaux'][0]]}." in lines
    assert any(line.startswith("Donnez ce code à la structure ou à Etoile Info (0 800 222 100)") for line in lines)
    for raison in orientation["raisons"]:
        assert raison["texte"] in message.text
    for lieu in orientation["lieux"]:
        assert lieu["nom"] in message.text
    assert not set(reference.said) & set(asked)
    assert fiche(stack, message)["canal"] == "telegram"
    # The places' websites as URL buttons (when the knowledge base has them), then "Recommencer".
    sites = list(dict.fromkeys(lieu["site_web"] for lieu in orientation["lieux"] if lieu.get("site_web")))
    urls = [b["url"] for b in message.buttons() if "url" in b]
    assert urls[:len(sites)] == sites[:3] and all(u.startswith("https://") for u in urls)
    assert message.callback_data() == ["/recommencer"]


def test_a_button_press_is_answered_and_reaches_the_dialogue(stack, telegram_gateway, bot_api, chat_id):
    asking = say(bot_api, chat_id, "je veux changer de métier",
                 lambda c: question(c) is not None and c.callback_data(), "a question with buttons")
    slot, payload = question(asking), asking.callback_data()[0]
    mark = bot_api.mark()
    pressed = bot_api.press(asking, payload)
    after = bot_api.wait_for_message(chat_id, mark, lambda c: question(c) is not None or is_orientation(c),
                                     what="the next question or the orientation")
    [answered] = [c for c in bot_api.calls_of("answerCallbackQuery", since=mark)]
    assert answered.params["callback_query_id"] == pressed["callback_query"]["id"]
    [edited] = bot_api.calls_of("editMessageReplyMarkup", since=mark)
    assert edited.params["message_id"] == asking.result["message_id"]
    assert "reply_markup" not in bot_api.sent_message(asking)  # the keyboard is gone
    assert question(after) != slot
    conversation = telegram_gateway.conversation(chat_id)
    said = [e["text"] for e in events(stack, conversation) if e["event"] == "user"]
    assert said[-1] == payload


def test_a_forged_button_is_refused(telegram_gateway, bot_api, chat_id):
    asking = say(bot_api, chat_id, "je veux changer de métier",
                 lambda c: question(c) is not None and c.callback_data(), "a question with buttons")
    mark = bot_api.mark()
    bot_api.press(asking, '/informer{"age": 99}')
    answer = bot_api.wait_for(lambda calls: [c for c in calls[mark:] if c.method == "answerCallbackQuery"])[0]
    assert answer.params["text"] == render.BUTTON_GONE
    assert not bot_api.calls_of("editMessageReplyMarkup", since=mark)


def test_a_shared_location_answers_the_commune_question(stack, telegram_gateway, bot_api, chat_id):
    mark = bot_api.mark()
    bot_api.send_text(chat_id, "je suis au chômage et je cherche du travail, j'ai 45 ans")
    for _ in range(6):  # answer what comes before the commune, if anything
        asking = bot_api.wait_for_message(chat_id, mark, lambda c: question(c) is not None, what="a question")
        if question(asking) == "commune":
            break
        mark = bot_api.mark()
        reply(bot_api, chat_id, asking, EVERYDAY)
    offer = bot_api.wait_for_message(chat_id, mark, lambda c: "keyboard" in c.markup, what="the location keyboard")
    assert offer.markup["keyboard"][0][0]["request_location"] is True

    mark = bot_api.mark()
    bot_api.send_location(chat_id, 47.39, 0.69)  # Tours
    bot_api.wait_for_message(chat_id, mark, lambda c: is_orientation(c) or question(c) not in (None, "commune"),
                             what="the orientation or the next question")
    near = bot_api.messages(chat_id, mark)[0]
    assert near.text == render.near_commune("37261") and "Tours" in near.text
    assert near.markup == {"remove_keyboard": True}
    slots = [e for e in events(stack, telegram_gateway.conversation(chat_id))
             if e["event"] == "slot" and e["name"] == "commune" and e["value"]]
    assert slots[-1]["value"] == "37261"


def test_a_location_outside_the_region_is_politely_declined(telegram_gateway, bot_api, chat_id):
    mark = bot_api.mark()
    bot_api.send_location(chat_id, 48.8566, 2.3522)  # Paris
    reply = bot_api.wait_for_message(chat_id, mark, lambda c: True)
    assert reply.text == render.OUTSIDE_REGION
    assert telegram_gateway.conversation(chat_id) is None  # nothing was sent to the dialogue


def test_oubli_deletes_the_conversation_and_the_next_message_starts_afresh(
        stack, telegram_gateway, bot_api, chat_id):
    say(bot_api, chat_id, "bonjour", lambda c: question(c) is not None)  # the welcome, then a question
    conversation = telegram_gateway.conversation(chat_id)
    assert conversation and events(stack, conversation)
    with sqlite3.connect(stack.settings.data_dir / "gateway.db") as db:
        stored = " ".join(map(str, db.execute("SELECT * FROM telegram_chats").fetchall()))
    assert str(chat_id) not in stored  # only a keyed hash of the chat id is kept

    forgotten = say(bot_api, chat_id, "/oubli")
    assert forgotten.text == render.FORGOTTEN
    assert events(stack, conversation) == []
    assert telegram_gateway.conversation(chat_id) is None
    assert say(bot_api, chat_id, "/oubli").text == render.NOTHING_TO_FORGET

    say(bot_api, chat_id, "bonjour", lambda c: question(c) is not None)
    fresh = telegram_gateway.conversation(chat_id)
    assert fresh and fresh != conversation


def test_forget_me_said_in_words_also_drops_the_mapping(stack, telegram_gateway, bot_api, chat_id):
    say(bot_api, chat_id, "bonjour", lambda c: question(c) is not None)
    conversation = telegram_gateway.conversation(chat_id)
    reply = say(bot_api, chat_id, "effacez mes données")
    assert "effacé" in reply.text
    assert events(stack, conversation) == []
    assert telegram_gateway.conversation(chat_id) is None


def test_restart_command_starts_the_dialogue_again(telegram_gateway, bot_api, chat_id):
    say(bot_api, chat_id, "je veux changer de métier", lambda c: question(c) is not None)
    assert "reparti" in say(bot_api, chat_id, "/recommencer").text


def test_conseiller_gives_etoile_info_from_the_knowledge_base(telegram_gateway, bot_api, chat_id):
    etoile = load_reseaux()["etoile-info"].reseau
    reply = say(bot_api, chat_id, "/conseiller")
    assert etoile.telephone in reply.text and "horaires" in reply.text
    assert [b["url"] for b in reply.buttons()] == [etoile.site_web]


@pytest.mark.parametrize("command, expected", [
    ("/confidentialite", render.PRIVACY), ("/aide", render.help_text()),
    ("/inconnue", render.unknown_command())])
def test_information_commands(telegram_gateway, bot_api, chat_id, command, expected):
    assert say(bot_api, chat_id, command).text == expected


@pytest.mark.parametrize("kind, content", [
    ("sticker", {"sticker": {"file_id": "s", "file_unique_id": "s", "type": "regular", "width": 512,
                             "height": 512, "is_animated": False, "is_video": False}}),
    ("photo", {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 90, "height": 90}]}),
    ("voice", {"voice": {"file_id": "v", "file_unique_id": "v", "duration": 3}}),
    ("document", {"document": {"file_id": "d", "file_unique_id": "d", "file_name": "cv.pdf"}}),
    ("contact", {"contact": {"phone_number": "+33600000000", "first_name": "Camille"}}),
])
def test_unsupported_messages_get_a_polite_answer(telegram_gateway, bot_api, chat_id, kind, content):
    mark = bot_api.mark()
    bot_api.message(chat_id, **content)
    assert bot_api.wait_for_message(chat_id, mark, lambda c: True).text == render.UNSUPPORTED
    assert telegram_gateway.conversation(chat_id) is None  # nothing reached the dialogue
    assert telegram_gateway.process.poll() is None


def test_edited_messages_and_group_chats_get_a_polite_answer(telegram_gateway, bot_api, chat_id):
    mark = bot_api.mark()
    bot_api.message(chat_id, edited=True, text="j'ai 25 ans")
    assert bot_api.wait_for_message(chat_id, mark, lambda c: True).text == render.EDITED
    group = -chat_id
    for text in ("bonjour", "/start"):
        mark = bot_api.mark()
        bot_api.message(group, chat_type="group", text=text)
        assert bot_api.wait_for_message(group, mark, lambda c: True).text == render.PRIVATE_ONLY
    assert telegram_gateway.conversation(group) is None
    assert "assistant automatique" in say(bot_api, chat_id, "tu es un robot ?").text  # still answering


def test_replies_keep_the_order_of_the_messages(telegram_gateway, bot_api, chat_id):
    mark = bot_api.mark()
    bot_api.send_text(chat_id, "bonjour")  # a dialogue turn, slower than the fixed answer below
    bot_api.message(chat_id, voice={"file_id": "v", "file_unique_id": "v", "duration": 3})
    bot_api.wait_for_message(chat_id, mark, lambda c: c.text == render.UNSUPPORTED)
    texts = [c.text for c in bot_api.messages(chat_id, mark)]
    # the dialogue's replies (the welcome, then the first question), and only then the fixed one
    assert "assistant automatique" in texts[0] and question(bot_api.messages(chat_id, mark)[1]) is not None
    assert texts[2:] == [render.UNSUPPORTED]


def test_a_too_long_message_is_refused_before_the_dialogue(telegram_gateway, bot_api, chat_id):
    reply = say(bot_api, chat_id, "bla " * 1000)
    assert reply.text == render.too_long(2000)
    assert telegram_gateway.conversation(chat_id) is None


def test_the_person_is_never_logged(telegram_gateway, bot_api, chat_id, tmp_path_factory):
    """Nothing the person typed, and no chat id, appears in the gateway's output."""
    secret = "phrase-témoin-que-personne-ne-doit-voir"
    say(bot_api, chat_id, f"je cherche du travail {secret}")
    log = next(tmp_path_factory.getbasetemp().glob("telegram*/gateway.log")).read_text()
    assert secret not in log and str(chat_id) not in log and DEFAULT_TOKEN not in log
