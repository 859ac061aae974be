"""The one error the service answers with: a request it refuses, with the HTTP status and a
reason the client is shown."""


class Refused(Exception):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason
