"""The HTTP functions' core: one edge (`edge.serve`) and a module per route."""
