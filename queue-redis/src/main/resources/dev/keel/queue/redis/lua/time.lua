-- time: the server clock in us, routed to the namespace's node.
return fmt(now_us())
