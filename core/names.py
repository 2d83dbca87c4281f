"""What a person is called wherever the product names them. Plain values: no database needed."""


def display_name(name: str, email: str) -> str:
    """A person as readers know them: their name, else (no name known) their e-mail address.
    `User.__str__`, and every list that reads the two columns without a `User`."""
    return name or email
