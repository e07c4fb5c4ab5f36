from datetime import datetime


def part_of_day(hour: int) -> str:
    if 5 <= hour < 12:
        return "morning"
    if 12 <= hour < 18:
        return "afternoon"
    if 18 <= hour < 23:
        return "evening"
    return "night"


def greeting(name: str, now: datetime | None = None) -> str:
    now = now or datetime.now()
    return "Good " + part_of_day(now.hour) + ", " + name + "!"


def farewell(name: str) -> str:
    return "Goodbye, " + name + "."


if __name__ == "__main__":
    print(greeting("Ada"))
    print(farewell("Ada"))
