"""Import every model module so metadata (migrations, create_all) sees all tables."""

from rok import mail  # noqa: F401
from rok.accounts import models as accounts_models  # noqa: F401
from rok.framework import models as framework_models  # noqa: F401
from rok.processing import models as processing_models  # noqa: F401
from rok.surveys import models as survey_models  # noqa: F401
