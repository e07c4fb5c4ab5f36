from flask import Flask, abort, jsonify, request

from notes.store import NoteStore

app = Flask(__name__)
store = NoteStore("notes.db")


@app.route("/notes")
def list_notes():
    return jsonify([note.as_dict() for note in store.all()])


@app.route("/notes/<int:note_id>")
def get_note(note_id):
    note = store.get(note_id)
    if note is None:
        abort(404)
    return jsonify(note.as_dict())


@app.route("/notes/<int:note_id>", methods=["DELETE"])
def delete_note(note_id):
    if store.get(note_id) is None:
        abort(404)
    store.delete(note_id)
    return "", 204


if __name__ == "__main__":
    app.run(debug=True)
