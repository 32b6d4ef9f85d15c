"""The command line: argv -> one command, its lines printed, its exit status. Only this folder
prints or exits.

    cli.py                argv -> the command to run; problems reported once, as file:line: message
    commands.py           build, extract, update, init, compile, check, status, approve, archive, serve
    exchange_commands.py  export, import, back-translation
    audio_commands.py     recording add; the recordings `status` lists to make again
    status.py             every language: what is left, failing checks, review, formats
    proofs.py             preview and review: translators' proofs and side-by-side sheets
    signoff_sheet.py      review en: the clinician's sheet of the English and what changed
    system.py             the programs and fonts a command needs, checked before it runs
    terminal.py           what may reach the terminal: plain text, progress, exit statuses
"""
