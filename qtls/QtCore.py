"""qtls.QtCore: the part of PyQt6.QtCore that networking programs use.

A thin façade: each module below exports its public names in ``__all__``.
"""

from qtls.core.signals import *
from qtls.core.qobject import *
from qtls.core.qt import *
from qtls.core.application import *
from qtls.core.eventloop import *
from qtls.core.timer import *
from qtls.core.socketnotifier import *
from qtls.core.iodevice import *
from qtls.core.bytearray import *
from qtls.core.qdatetime import *
from qtls.core.cryptographichash import *
from qtls.core.elapsedtimer import *
from qtls.core.deadlinetimer import *
from qtls.core.thread import *
from qtls.core.datastream import *
from qtls.core.metaobject import *
