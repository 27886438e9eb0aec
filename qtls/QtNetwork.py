"""qtls.QtNetwork: PyQt6.QtNetwork's TCP and TLS classes, without Qt.

A thin façade: each module below exports its public names in ``__all__``.
"""

from qtls.network.hostaddress import *
from qtls.network.abstractsocket import *
from qtls.network.tcpsocket import *
from qtls.network.tcpserver import *
from qtls.ssl.qssl import *
from qtls.ssl.x509.error import *
from qtls.ssl.x509.key import *
from qtls.ssl.x509.extension import *
from qtls.ssl.x509.certificate import *
from qtls.ssl.values.cipher import *
from qtls.ssl.values.ellipticcurve import *
from qtls.ssl.values.diffiehellman import *
from qtls.ssl.values.psk import *
from qtls.ssl.values.ocsp import *
from qtls.ssl.values.configuration import *
from qtls.ssl.sslsocket import *
from qtls.ssl.sslserver import *
