"""The Salesforce CRM adapter (simple-salesforce); every Salesforce call lives in this package."""

from crmbridge.crm.salesforce.adapter import SalesforceCrm
from crmbridge.crm.salesforce.client import SalesforceConfig

__all__ = ["SalesforceConfig", "SalesforceCrm"]
