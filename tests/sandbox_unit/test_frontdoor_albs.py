"""The front door serves every ALB on a loopback address of its own: the addresses, the one poll loop over all
ALBs (moto in-process), and requests routed by the address they reached, whatever their Host header."""

import asyncio
import ipaddress
import json

import pytest

from ecoeco_sandbox.aws.seed import seed_network
from ecoeco_sandbox.errors import SandboxError
from ecoeco_sandbox.frontdoor import bindable_port
from ecoeco_sandbox.frontdoor.addresses import AddressBook, alb_network, alb_url, read_book
from ecoeco_sandbox.frontdoor.albs import AlbPoller
from ecoeco_sandbox.frontdoor.listeners import AlbListeners
from ecoeco_sandbox.frontdoor.proxy import FrontDoor
from ecoeco_sandbox.frontdoor.routing import Endpoint, Rule
from ecoeco_sandbox.loadgen import generate
from ecoeco_sandbox.topology import NODES, pod_cidr

UNUSED_OCTET = 253  # no sandbox of the suite uses this pod octet


def pod_twins(octet):
    """The loopback twins of the pod ranges of the sandbox with pod octet ``octet``."""
    for index in range(len(NODES)):
        third_octet = ipaddress.ip_network(pod_cidr(index)).network_address.packed[2]
        yield ipaddress.ip_network("127.{0}.{1}.0/20".format(octet, third_octet))


@pytest.mark.parametrize("octet", [244, 246, 247])
def test_alb_addresses_lie_beside_the_pod_twins_of_the_same_sandbox(octet):
    albs = alb_network(octet)
    assert albs.is_loopback and albs.subnet_of(ipaddress.ip_network("127.{0}.0.0/16".format(octet)))
    assert not any(albs.overlaps(twins) for twins in pod_twins(octet))


def test_two_sandboxes_never_share_an_alb_address():
    assert not alb_network(246).overlaps(alb_network(247))


def test_an_alb_keeps_its_address_and_no_other_name_ever_gets_it():
    book = AddressBook(alb_network(UNUSED_OCTET))
    first, second = book.address_of("ecoeco-alb"), book.address_of("shop-alb")
    assert (first, second) == ("127.253.240.1", "127.253.240.2")
    assert book.address_of("ecoeco-alb") == first
    assert book.address_of("legacy-alb") == "127.253.240.3"


def test_the_address_book_runs_out_loudly():
    book = AddressBook(ipaddress.ip_network("127.253.240.0/30"))
    book.address_of("a"), book.address_of("b")
    with pytest.raises(SandboxError, match="no loopback address left for ALB c"):
        book.address_of("c")


def test_alb_url_names_what_is_served_and_what_is_not(tmp_path):
    path = tmp_path / "frontdoor-albs.json"
    with pytest.raises(SandboxError, match="not running, or its front door predates"):
        alb_url("shop-alb", path)
    path.write_text(json.dumps({"default": {}, "load_balancers": {"ecoeco-alb": {"url": "http://127.0.0.1:1"}}}))
    with pytest.raises(SandboxError, match="no ALB named shop-alb .it serves: ecoeco-alb"):
        alb_url("shop-alb", path)
    assert alb_url("ecoeco-alb", path) == "http://127.0.0.1:1"


# -- one poll loop over every ALB (moto in-process) ------------------------------------------------------------------


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def alb_with_rules(elbv2, network, name, paths):
    """An ALB ``name`` with an HTTP listener and one rule per path, each to a target group of its own; its ARN
    and {path: target group ARN}."""
    lb = elbv2.create_load_balancer(Name=name, Subnets=network["subnet_ids"])["LoadBalancers"][0]
    listener = elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80, DefaultActions=[
        {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}])["Listeners"][0]
    groups = {}
    for priority, path in enumerate(paths, start=1):
        group = elbv2.create_target_group(Name="{0}-{1}".format(name, priority), Protocol="HTTP", Port=30000 + len(name) * 10 + priority,
                                          VpcId=network["vpc_id"], TargetType="instance")["TargetGroups"][0]
        elbv2.create_rule(ListenerArn=listener["ListenerArn"], Priority=priority, Conditions=[{"Field": "path-pattern", "Values": [path]}],
                          Actions=[{"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}])
        groups[path] = group["TargetGroupArn"]
    return lb["LoadBalancerArn"], groups


def test_one_poll_reads_the_rules_of_every_alb(aws):
    elbv2, ec2, calls = aws
    network = seed_network(ec2, [])
    _arn, ecoeco = alb_with_rules(elbv2, network, "ecoeco-alb", ["/api/v1/auth*"])
    _arn, shop = alb_with_rules(elbv2, network, "shop-alb", ["/api/v1/payments*", "/api/v1/ledger*"])
    poller = AlbPoller(elbv2, list_interval=1.0, clock=Clock())
    poller.poll()

    assert set(poller.load_balancers) == {"ecoeco-alb", "shop-alb"}
    assert all(dns_name for dns_name in poller.load_balancers.values())
    assert [rule.target_group_arn for rule in poller.rules["ecoeco-alb"]] == [ecoeco["/api/v1/auth*"]]
    assert [rule.paths for rule in poller.rules["shop-alb"]] == [("/api/v1/payments*",), ("/api/v1/ledger*",)]
    assert set(poller.node_ports) == set(ecoeco.values()) | set(shop.values())

    calls.clear()
    poller.poll()
    assert sorted(calls.operations) == ["DescribeRules", "DescribeRules"]  # not listed again within list_interval


def test_a_new_alb_is_served_at_the_next_listing_and_a_deleted_one_dropped(aws):
    elbv2, ec2, _calls = aws
    network = seed_network(ec2, [])
    ecoeco_arn, _groups = alb_with_rules(elbv2, network, "ecoeco-alb", ["/api/v1/auth*"])
    clock = Clock()
    poller = AlbPoller(elbv2, list_interval=1.0, clock=clock)
    poller.poll()
    alb_with_rules(elbv2, network, "legacy-alb", ["/orders*"])
    poller.poll()
    assert set(poller.rules) == {"ecoeco-alb"}

    clock.now = 1.0
    poller.poll()
    assert set(poller.rules) == {"ecoeco-alb", "legacy-alb"}

    elbv2.delete_load_balancer(LoadBalancerArn=ecoeco_arn)
    poller.poll()  # its rules cannot be read: kept until the listing that follows at once
    poller.poll()
    assert set(poller.rules) == set(poller.load_balancers) == {"legacy-alb"}


def test_an_alb_without_its_listener_yet_is_not_served(aws):
    elbv2, ec2, _calls = aws
    network = seed_network(ec2, [])
    elbv2.create_load_balancer(Name="shop-alb", Subnets=network["subnet_ids"])
    poller = AlbPoller(elbv2, clock=Clock())
    poller.poll()
    assert poller.load_balancers == {} and poller.rules == {}


# -- requests routed by the address they reached ------------------------------------------------------------------


class FixedView:
    """Routing tables of two ALBs with the same path, each to its own NodePort and pod."""

    def __init__(self, balancers, rules, node_ports, endpoints):
        self.balancers, self._rules, self._node_ports, self._endpoints = balancers, rules, node_ports, endpoints

    def load_balancers(self):
        return self.balancers

    def rules(self, load_balancer_name):
        return self._rules.get(load_balancer_name, [])

    def node_ports(self):
        return self._node_ports

    def endpoints(self):
        return self._endpoints


async def pod_app(name, address, port):
    """A stand-in app at ``address`` that says who it is."""
    async def answer(reader, writer):
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        body = json.dumps({"namespace": name, "version": "blue"}).encode()
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        await writer.drain()
        writer.close()
    return await asyncio.start_server(answer, address, port)


def test_each_alb_answers_on_its_own_address_whatever_the_host_header(tmp_path):
    port = bindable_port(0)
    shop_pod, legacy_pod = Endpoint("10.253.0.5", port), Endpoint("10.253.0.6", port)
    view = FixedView({"shop-alb": "shop-alb-1.elb.example", "legacy-alb": "legacy-alb-1.elb.example"},
                     {"shop-alb": [Rule(1, (), ("/api/*",), "tg-shop")], "legacy-alb": [Rule(1, (), ("/api/*",), "tg-legacy")]},
                     {"tg-shop": 31001, "tg-legacy": 31002}, {31001: (shop_pod,), 31002: (legacy_pod,)})
    book_path = tmp_path / "frontdoor-albs.json"
    listeners = AlbListeners(FrontDoor(view), view, "127.0.0.1", port, book_path, AddressBook(alb_network(UNUSED_OCTET)))

    async def scenario():
        apps = [await pod_app("shop", "127.253.0.5", port), await pod_app("legacy", "127.253.0.6", port)]
        stop = asyncio.Event()
        serving = asyncio.create_task(listeners.serve(stop))
        await asyncio.sleep(0.3)
        book = read_book(book_path)
        urls = {name: served["url"] for name, served in book["load_balancers"].items()}
        urls["ecoeco-alb"] = book["default"]["url"]
        answers = {name: await generate(url, ["/api/x"], count=2, rate=50.0, max_seconds=1.0, host_header="shop.example")
                   for name, url in urls.items()}
        view.balancers = {"legacy-alb": "legacy-alb-1.elb.example"}
        await listeners.follow()
        after_delete = read_book(book_path)
        gone = await generate(urls["shop-alb"], ["/api/x"], count=1, rate=50.0, max_seconds=1.0)
        stop.set()
        await serving
        for app in apps:
            app.close()
        return answers, after_delete, gone

    answers, after_delete, gone = asyncio.run(scenario())
    assert [record["namespace"] for record in answers["shop-alb"]] == ["shop", "shop"]
    assert [record["namespace"] for record in answers["legacy-alb"]] == ["legacy", "legacy"]
    assert [record["status"] for record in answers["ecoeco-alb"]] == [404, 404]  # no ecoeco-alb: the default action
    assert set(after_delete["load_balancers"]) == {"legacy-alb"}
    assert after_delete["load_balancers"]["legacy-alb"] == {
        "url": "http://127.253.240.1:{0}".format(port), "address": "127.253.240.1", "dns_name": "legacy-alb-1.elb.example"}
    assert gone[0]["status"] == 0  # a deleted ALB's address no longer answers
    assert not book_path.exists()  # the front door stopped: it serves nothing
