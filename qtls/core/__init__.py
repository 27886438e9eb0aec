"""QtCore subset: objects, signals, dispatch on asyncio, QIODevice."""
