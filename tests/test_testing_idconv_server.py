"""The local PMC ID converter answers in the converter's JSON shape."""

import httpx2

from litkit.testing.idconv_server import PATHS, IdConverterServer


def test_answers_have_the_converters_shape_on_both_addresses():
    with IdConverterServer(
        [{"pmid": "1", "pmcid": "PMC2", "doi": "10.5555/x"}], rate=None
    ) as server:
        base = server.url.removesuffix(PATHS[0])
        for path in PATHS:
            body = httpx2.get(base + path, params={"ids": "PMC2,7", "format": "json"}).json()
            assert (
                body["status"] == "ok" and body["warning"] == "no e-mail provided; no tool provided"
            )
            assert body["records"] == [
                {"requested-id": "PMC2", "pmcid": "PMC2", "pmid": "1", "doi": "10.5555/x"},
                {"requested-id": "7", "status": "error", "errmsg": "Identifier not found in PMC"},
            ]
        assert httpx2.get(base + "/elsewhere").status_code == 404
        assert httpx2.get(server.url, params={"ids": ",".join(["1"] * 201)}).status_code == 400


def test_requests_over_the_rate_get_ncbis_429():
    with IdConverterServer([], rate=1) as server:
        statuses = [httpx2.get(server.url, params={"ids": "1"}).status_code for _ in range(2)]
        assert statuses == [200, 429] and server.refused == 1
