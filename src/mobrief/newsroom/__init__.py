"""What the newsroom does (process new items, train the models, publish a brief) as plain functions over the store
and the stages, called alike by the command line, the web app and the team server's tasks."""
