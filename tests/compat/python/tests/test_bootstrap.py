"""What a bot checks before it logs in: ping, client config and license, through the driver."""

import pytest
from conftest import new_driver
from mattermostdriver.exceptions import NoAccessTokenProvided


def test_ping_is_json_ok():
    pong = new_driver().system.check_system_health()
    # The driver returns the raw Response unless Content-Type is exactly application/json.
    assert isinstance(pong, dict), pong
    assert pong["status"] == "OK"


def test_client_config_old_format_is_strings():
    config = new_driver().system.get_client_configuration(params={"format": "old"})
    assert isinstance(config, dict), config
    assert all(isinstance(v, str) for v in config.values())
    major, minor = (int(x) for x in config["Version"].split(".")[:2])
    assert (major, minor) >= (9, 11)


def test_client_license_old_format():
    license_ = new_driver().system.get_client_license(params={"format": "old"})
    assert license_ == {**license_, "IsLicensed": "false"}
    assert all(isinstance(v, str) for v in license_.values())


def test_bad_token_is_refused_with_401():
    d = new_driver(token="x" * 26)
    with pytest.raises(NoAccessTokenProvided):
        d.login()
