"""The counsellors' web console at /konsol, mounted inside the Rasa server as a
custom input channel (bot.console.channel.ConsoleInput in credentials.yml).

Modules: auth (accounts, sessions), accounts (the account command), gateway
(the web chat's side of a handoff), delivery (pushing to channels), bridge
(letting the assistant speak in-process), web (the Sanic blueprint), pages
(case and office pages), channel (composition inside the Rasa server).
This package file imports nothing heavy: bot.all_models imports its models.
"""
