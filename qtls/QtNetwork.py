"""qtls.QtNetwork: PyQt6.QtNetwork's TCP and TLS classes, without Qt.

A thin façade: each module below exports its public names in ``__all__``.
"""

from qtls.network.hostaddress import *
from qtls.network.abstractsocket import *
from qtls.network.tcpsocket import *
from qtls.network.tcpserver import *
from qtls.ssl.qssl import *
from qtls.ssl.error import *
from qtls.ssl.key import *
from qtls.ssl.certificateextension import *
from qtls.ssl.certificate import *
from qtls.ssl.cipher import *
from qtls.ssl.ellipticcurve import *
from qtls.ssl.diffiehellman import *
from qtls.ssl.psk import *
from qtls.ssl.ocsp import *
from qtls.ssl.configuration import *
from qtls.ssl.sslsocket import *
from qtls.ssl.sslserver import *
