"""A plugin's prompt_will_be_sent hook sees and changes a plain chat turn (real fake server)."""

from __future__ import annotations

import sys

from desktop.assist.chat_service import ChatService
from desktop.assist.conversations import ConversationStore
from desktop.core.cancel import CancelToken
from desktop.core.chat import ChatOptions, TextDelta
from desktop.core.paths import HearthPaths, project_key
from desktop.engine.ollama_engine import OllamaEngine
from desktop.plugins.loader import load_plugins
from tests.plugins.plugin_files import write_plugin

MODULE = '''
from desktop.plugins.api import ChatMessage

SEEN = []


def setup(plugin):
    def add_house_rules(action, messages):
        SEEN.append(action)
        system, *rest = messages
        return [ChatMessage("system", system.content + "\\nHouse rule: answer in English."), *rest]

    plugin.on("prompt_will_be_sent", add_house_rules)
'''


def test_chat_turns_pass_through_plugin_hooks(tmp_path, fake_ollama):
    project = tmp_path / "project"
    project.mkdir()
    (project / "main.py").write_text("print('hi')\n")
    write_plugin(tmp_path / "plugins", "house-rules", module=MODULE)
    plugins = load_plugins(None, tmp_path / "plugins", "hearth.plugins.none-installed")
    store = ConversationStore(HearthPaths.from_env().chats_db)
    try:
        service = ChatService(store, project, OllamaEngine(fake_ollama.host), hooks=plugins.hooks)
        chat = store.create_conversation(project_key(project)).id
        fake_ollama.answer = "Hi."
        events = list(service.send(chat, "What is this?", "qwen2.5-coder:7b", ChatOptions(), CancelToken()))
    finally:
        store.close()
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "Hi."
    sent = fake_ollama.last_chat_body["messages"]
    assert sent[0]["role"] == "system" and sent[0]["content"].endswith("House rule: answer in English.")
    assert sent[-1] == {"role": "user", "content": "What is this?"}
    assert sys.modules["hearth_plugin_house_rules"].SEEN == [None]  # a plain chat turn has no action
