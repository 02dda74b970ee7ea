"""An e-mail newsletter: a list of subscribers the business writes to over its own SMTP
server, with replies (and bounce reports) read from an IMAP inbox when one is set."""
