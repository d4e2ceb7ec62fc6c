"""The PMC ID converter client against a local converter: answers, retries, pacing, deadline."""

import json
import time
from pathlib import Path

import pytest

from litkit.errors import FetchError
from litkit.ncbi import IdConverter
from litkit.polite import Retry
from litkit.testing.idconv_server import IdConverterServer

ARTICLES = json.loads((Path(__file__).parent / "data/ncbi/idconv-articles.json").read_text())


@pytest.fixture
def server():
    with IdConverterServer(ARTICLES) as running:
        yield running


def converter(server, attempts=5) -> IdConverter:
    return IdConverter(
        base_url=server.url, email="test@example.org", retry=Retry(attempts=attempts, backoff=0.01)
    )


def test_pmids_and_pmcids_become_dois_or_say_why_not(server):
    found = converter(server).convert(["90000001", "90000002", "90000003", "12345"], idtype="pmid")
    assert found["90000001"].doi == "10.5555/litkit.test.1"
    assert found["90000002"].doi == "10.5555/litkit.test.2"  # lower case, as litkit keys DOIs
    assert (found["90000003"].doi, found["90000003"].error) == ("", "no DOI in PMC's record")
    assert found["12345"].error == "Identifier not found in PMC"
    assert (
        converter(server).convert(["PMC9000004"], idtype="pmcid")["PMC9000004"].pmcid
        == "PMC9000004"
    )


def test_the_request_names_the_tool_the_contact_and_the_id_type(server):
    converter(server).convert(["90000001"], idtype="pmid")
    assert server.requests[-1] == {
        "ids": ["90000001"],
        "idtype": ["pmid"],
        "format": ["json"],
        "tool": ["litkit"],
        "email": ["test@example.org"],
    }


@pytest.mark.parametrize("fault", ["429", "503", "drop"])
def test_a_passing_failure_is_retried(server, fault):
    server.inject(fault, times=2)
    client = converter(server)
    assert client.convert(["90000001"], idtype="pmid")["90000001"].doi
    assert client.requests == 3


@pytest.mark.parametrize("fault, named", [("503", "HTTP 503"), ("drop", "RemoteProtocolError")])
def test_a_failure_that_persists_is_a_fetch_error_naming_it(server, fault, named):
    server.inject(fault, times=10)
    with pytest.raises(FetchError, match=f"^NCBI ID converter: {named} after 3 tries$"):
        converter(server, attempts=3).convert(["90000001"], idtype="pmid")


def test_requests_are_paced_under_ncbis_three_a_second(server):
    client = converter(server)
    started = time.monotonic()
    for n in range(7):
        client.convert([str(90000001 + n % 3)], idtype="pmid")
    assert server.refused == 0 and time.monotonic() - started >= 2.0


def test_a_run_gives_up_at_its_deadline(server):
    server.inject("503", times=50)
    with pytest.raises(FetchError, match="deadline"):
        IdConverter(
            base_url=server.url, deadline=0.3, retry=Retry(attempts=50, backoff=0.2)
        ).convert(["90000001"], idtype="pmid")


def test_more_than_200_ids_go_in_several_requests(server):
    ids = [str(80000000 + n) for n in range(250)]
    found = converter(server).convert(ids, idtype="pmid")
    assert len(found) == 250 and len(server.requests) == 2


def test_an_unknown_id_type_is_refused():
    with pytest.raises(ValueError, match="unknown id type"):
        IdConverter(base_url="http://127.0.0.1:9/").convert(["1"], idtype="doi")
