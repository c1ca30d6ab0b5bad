"""Who the client is, for every limit in the site (kit.limits) and for sign-in throttling
(django-axes, AXES_CLIENT_IP_CALLABLE): the network a request comes from.

Anyone with IPv6 holds at least a whole /64 and may send each request from a new address
in it, so an IPv6 client is its /64; an IPv4 client is its address (also when seen through
an IPv6 socket, as ::ffff:a.b.c.d).
"""

import ipaddress

from django.conf import settings


def client_network(request):
    """The network the request comes from, as an address: an IPv4 address, or the first
    address of an IPv6 /64 ("2001:db8:1:2::"), which axes can store as one; "" if unknown."""
    return network_of(client_address(request))


def client_address(request):
    """The address the request comes from.

    X-Forwarded-For is read only on a connection from one of TRUSTED_PROXIES: from anyone
    else it says whatever they like. Each proxy appends the address it saw, so the client
    is the last entry that is not itself a trusted proxy; the entries before it could be
    forged to dodge the limit, so they are never used.
    """
    address = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    while forwarded and is_trusted_proxy(address):
        try:
            address = str(ipaddress.ip_address(forwarded.pop().strip()))
        except ValueError:
            break  # the proxy wrote no address: count on the proxy rather than guess
    return address


def network_of(address):
    """An address reduced to what one client holds: IPv4 as is, IPv4-mapped IPv6 as its
    IPv4 address, other IPv6 as its /64's first address. Anything else comes back as given."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address  # none known (""), or not an address: counted as given
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    return str(ipaddress.IPv6Network((ip, 64), strict=False).network_address)


def is_trusted_proxy(address):
    try:
        address = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(address in network for network in settings.TRUSTED_PROXIES)
