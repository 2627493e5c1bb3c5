"""Reaching sinks: logs, exceptions, SDKs and outbound HTTP requests, with the data each call carries."""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from privacy_lint.engine.shown import TextForms
from privacy_lint.engine.summaries import ParamSink, RawFinding, SinkHit, sink_key
from privacy_lint.engine.syntax import dotted
from privacy_lint.engine.values import Flow, Origin, Value, in_order
from privacy_lint.packs.catalog import Sink
from privacy_lint.packs.hosts import url_host
from privacy_lint.rules import INTERNAL_SERVICES

UNDER_CONSENT = "the consent check the data was read under"  # `x if has_consent(u) else None`

_GENERIC_URL_NAMES = frozenset({"url", "uri", "u", "endpoint", "target", "link", "href", "address"})
HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})


class SinkReporter(TextForms):
    """Turns a sink call reached by personal data into a raw finding, or a summary entry for a parameter."""

    def _client_host(self, args: list[tuple[cst.Arg, Value]]) -> str | None:
        """The host of `httpx.Client(base_url=...)`, kept on the client for its relative requests."""
        for arg, value in args:
            if arg.keyword is not None and arg.keyword.value == "base_url" and value.text:
                return url_host(value.text)
        return None

    # ---------------------------------------------------------------- sinks
    def _argument_flows(self, args: list[tuple[cst.Arg, Value]], ignore: frozenset[str], as_text: bool) -> list[Flow]:
        """What a call's arguments carry, minus keywords that hold no data (`exc_info=`, `timeout=`); `as_text`:
        shown as text (a log line), not sent as data."""
        flows: list[Flow] = []
        for arg, value in args:
            keyword = arg.keyword.value if arg.keyword is not None else None
            if keyword is not None and keyword in ignore:
                continue
            flows.extend(self._exposed(value, as_text))
            if keyword is not None and not value.clean and all(_keyed(f.origin) for f in value.whole()):
                # stripe.Customer.create(email=addr): the keyword names the data. A parameter's data is named
                # where its callers pass it, but a key read from one (`msg.get("from_name")`) may not be.
                named = self._named(keyword, value, arg.value, evidence=True)
                flows.extend(named.flows)
        return flows

    def report_sink(
        self, node: cst.Call, sink: Sink, args: list[tuple[cst.Arg, Value]], text: str, receiver: Value | None
    ) -> None:
        """A sink call sends its arguments; an SDK object's own send (`webhook.execute()`, `request.execute()`)
        also sends what was put in it when it was built (`DiscordWebhook(url, content=...)`)."""
        hit = SinkHit(sink.service, sink.destination, text, node)
        flows = self._argument_flows(args, sink.ignore_args, sink.service in INTERNAL_SERVICES)
        if receiver is not None and sink.service not in INTERNAL_SERVICES:  # a bound logger is not data
            own = node.func.value if isinstance(node.func, cst.Attribute) else None
            # what the object holds, not what its own name suggests (`postmark.emails.send(...)`)
            flows.extend(f for f in receiver.whole() if f.origin.node is not own)
        self._reach(hit, flows, node)

    def report_assignment(self, sink: Sink, text: str, target: cst.BaseExpression, value: Value) -> None:
        """An assignment that sets what an SDK sends (`scope.user = {...}`, `event["user"] = {...}`)."""
        self._reach(SinkHit(sink.service, sink.destination, f"{text} =", target), list(value.whole()), target)

    def raise_call(self, statement: cst.Raise, call: cst.Call) -> None:
        """`raise SomeError(message)`: the arguments become the exception's message (PRV002)."""
        qual = self.qualname(call.func) or ""
        if self._local_function(qual) is not None:  # raise build_error(...): a helper, not a constructor
            self.expr_Call(call)
            return
        args = [(arg, self.eval(arg.value)) for arg in call.args]
        if self._answers_requester(qual) or self._empty_message(qual):
            return
        hit = SinkHit("exception", "exception message", f"raise {self._callee_text(call.func)}", statement)
        self._reach(hit, self._argument_flows(args, frozenset(), True), statement)

    def _answers_requester(self, qual: str) -> bool:
        """An exception whose message goes back to the person who made the request, judged class by class up
        its hierarchy (project classes included): one a framework logs anyway (Django's PermissionDenied) is
        reported; an HTTP error, a form's validation error, or a class that sets a client-error status
        (`status_code = 409`) is not."""
        logged, ignored = self.catalog.exception_logged_matcher, self.catalog.exception_ignore_matcher
        for cls in self.classes.mro(qual) if qual in self.classes else [qual]:
            if logged.get(cls):
                return False
            info = self.classes.get(cls)
            if info is not None and info.status:
                return 400 <= info.status < 500
            if ignored.get(cls) or ignored.get(cls.rsplit(".", 1)[-1]):
                return True
        return False

    def _empty_message(self, qual: str) -> bool:
        """A project exception whose message is empty whatever it is given: the first class up its hierarchy
        that builds the message has an `__init__` handing its base nothing, and no class before it a `__str__`
        (`class TooManyMembers(Error): def __init__(self, who): super().__init__(); self.who = who`)."""
        for cls in self.classes.mro(qual) if qual in self.classes else []:
            info = self.classes.get(cls)
            if info is None or "__str__" in info.members or "__repr__" in info.members:
                return False
            if "__init__" in info.members:
                return info.silent_init
        return False

    @staticmethod
    def _url_argument(args: list[tuple[cst.Arg, Value]]) -> tuple[cst.Arg, Value] | None:
        """`url=`, else the first positional argument that is not an HTTP method (`requests.request("POST", u)`)."""
        for arg, value in args:
            if arg.keyword is not None and arg.keyword.value == "url":
                return arg, value
        for arg, value in args:
            if arg.keyword is None and not (value.text is not None and value.text.lower() in HTTP_METHODS):
                return arg, value
        return None

    @staticmethod
    def _url_name(expression: cst.BaseExpression) -> str | None:
        """The name an unknown URL starts with (`settings.KYC_URL`, `f"{self.base_url}/v1"`), for the message."""
        while isinstance(expression, cst.BinaryOperation):
            expression = expression.left
        if isinstance(expression, cst.FormattedString) and expression.parts:
            first = expression.parts[0]
            if isinstance(first, cst.FormattedStringExpression):
                expression = first.expression
        name = dotted(expression)
        return name if name is not None and name.rsplit(".", 1)[-1].lower() not in _GENERIC_URL_NAMES else None

    def build_request(self, args: list[tuple[cst.Arg, Value]]) -> Value:
        """`urllib.request.Request(url, data=...)`: a request to send later keeps its host and what it carries."""
        chosen = self._url_argument(args)
        host = url_host(chosen[1].text) if chosen is not None and chosen[1].text else None
        authentication = self.catalog.authentication_args
        flows = [
            f.boxed_in()
            for arg, value in args
            if arg.keyword is None or arg.keyword.value in self.catalog.http_data_args
            for f in value.whole()
            if not (arg.keyword is not None and arg.keyword.value in authentication and self._authenticates(f.origin))
        ]
        return Value(flows=frozenset(flows), host=host or "\0")

    def report_http(self, node: cst.Call, args: list[tuple[cst.Arg, Value]], receiver: Value | None) -> None:
        """An outbound request: named after its host, a vendor's host, or skipped when the host is internal."""
        chosen = self._url_argument(args)
        url = chosen[1] if chosen is not None else None
        host = url_host(url.text) if url is not None and url.text else None
        if host is None and url is not None and url.host is not None:
            host = url.host  # urlopen(request): the host of the request built earlier
        if host is None and receiver is not None:
            host = receiver.host
        if host is not None and host.strip("\0") == "":
            host = None
        target = self.hosts.vendor(host, url.text or "" if url is not None else "") if host else None
        if host is not None and target is None and self.hosts.is_internal(host):
            return
        if host is not None and "\0" in host and target is None:
            host = None
        if target is not None:
            hit = SinkHit(target.service, target.destination, self._callee_text(node.func), node, http=True)
        elif host is not None:
            hit = SinkHit("http", host, self._callee_text(node.func), node, http=True)
        else:
            named = self._url_name(chosen[0].value) if chosen is not None else None
            where = f"the host of {named}" if named else "a host not known statically"
            hit = SinkHit("http", where, self._callee_text(node.func), node, "low", True)
        flows: list[Flow] = []
        authenticating: list[Flow] = []
        # To a host the deployment configures (an identity provider, an OTP validation server), credentials
        # authenticate the request wherever they are: a password grant or a code exchange in the body (RFC 6749
        # 4.3, 4.1.3), a token in the query (RFC 6750 2.3). To a host written in the code, or a vendor's, they
        # do only where the request authenticates (headers=, auth=).
        anywhere = target is None and host is None
        for arg, value in args:
            keyword = arg.keyword.value if arg.keyword is not None else None
            if keyword is not None and keyword not in self.catalog.http_data_args:
                continue
            authenticates = anywhere or keyword in self.catalog.authentication_args
            (authenticating if authenticates else flows).extend(value.whole())
        self._reach(hit, flows, node)
        self._reach(replace(hit, authenticates=True), authenticating, node)

    def _authenticates(self, origin: Origin) -> bool:
        return origin.category in self.catalog.authentication_categories

    def _delivered(self, hit: SinkHit, origin: Origin) -> bool:
        """Data a sink reports: of a category the scan reports, and not credentials authenticating a request."""
        return self._reportable(origin) and not (hit.authenticates and self._authenticates(origin))

    def _reach(self, hit: SinkHit, flows: list[Flow], report_node: cst.CSTNode) -> None:
        """Personal data reaches a sink: a finding for concrete sources, a summary entry for parameters."""
        concrete: list[Flow] = []
        function = self.scope.function
        shown = hit.service in INTERNAL_SERVICES
        for flow in in_order(flows):
            if shown and flow.boxed:
                continue  # logging an object of an unknown class shows its repr, not what it was built from
            if flow.origin.param >= 0:
                if function is not None:
                    function.param_sinks.setdefault(
                        (flow.origin.param, flow.origin.element, sink_key(hit.node)),
                        ParamSink(flow.origin.param, hit, flow.steps, self.guarded, element=flow.origin.element),
                    )
                continue
            if not self._delivered(hit, flow.origin):
                continue
            concrete.append(flow)
        if concrete:
            guarded = self.guarded or (UNDER_CONSENT if all(f.consented for f in concrete) else "")
            self.findings.append(RawFinding(hit, report_node, concrete, self._scope_name(), guarded, function))


def _keyed(origin: Origin) -> bool:
    """A reference to a named key of a parameter: what the caller put under it, when the caller built it."""
    return origin.param >= 0 and origin.element != "" and not origin.element.isdigit()
