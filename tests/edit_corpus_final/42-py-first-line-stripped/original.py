from dataclasses import dataclass


@dataclass
class Token:
    kind: str
    text: str


class Lexer:
    def __init__(self, source: str):
        self.source = source
        self.pos = 0

    def tokens(self):
        while self.pos < len(self.source):
            char = self.source[self.pos]
            if char.isspace():
                self.pos += 1
            elif char.isdigit():
                start = self.pos
                while self.pos < len(self.source) and self.source[self.pos].isdigit():
                    self.pos += 1
                yield Token("number", self.source[start:self.pos])
            else:
                yield Token("symbol", char)
                self.pos += 1
