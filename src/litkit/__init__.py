"""litkit: how well are a health article's claims backed by the literature it cites?"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("litkit")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
