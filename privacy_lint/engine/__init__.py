"""The engine: an abstract interpreter of one module, a single pass of our own over its LibCST tree.

It walks statements in order with a scope stack and an import table. Each expression evaluates to a `Value`
saying which personal data it may carry (`Flow`s from an `Origin`). Calls are matched against the catalogue's
sinks by qualified name; a sink reached by personal data becomes a raw finding. Functions of the module are
analysed once each, on first call or at the end, into summaries (which parameters reach which sinks, what flows
to the return value), so helpers are followed without re-analysis; other modules' summaries come in as
`exports.ModuleSummary` and go out through `export.export_module`. No LibCST metadata provider runs here:
positions are computed once, at the end, only for files with findings (`emit`).

`interpreter.Interpreter` is the class to use. It is built in layers, each a class in its own module, the
lower ones calling the higher ones through the interface `resolve.Resolver` declares:

    resolve.Resolver        the module's state; what names, types, classes and functions refer to
    shown.TextForms         what a value shows when it becomes text
    sinks.SinkReporter      sinks reached: logs, exceptions, SDKs, HTTP requests
    binding.Binder          assignments
    expressions.Expressions expressions
    calls.Evaluator         calls
    statements.Statements   statements
    interpreter.Interpreter functions and their summaries
"""
