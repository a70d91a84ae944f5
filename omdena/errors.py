"""Errors that services raise and every surface (page, API, admin) turns into a message."""


class TransitionNotAllowed(Exception):
    """A state change that the allowed-moves table refuses."""

    def __init__(self, *, obj, from_state: str, to_state: str):
        self.obj = obj
        self.from_state = from_state
        self.to_state = to_state
        super().__init__(f"Cannot move {obj._meta.verbose_name} from “{from_state}” to “{to_state}”.")
