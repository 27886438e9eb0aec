"""qtls: Qt's SSL networking (QSslSocket and everything it stands on) in Python, without Qt.

Code written for PyQt6 runs after changing its imports::

    from qtls.QtCore import QCoreApplication
    from qtls.QtNetwork import QSslSocket
"""

__version__ = "0.1.0"
