"""A local stand-in for every supported source API, serving one synthetic enterprise over HTTP."""
