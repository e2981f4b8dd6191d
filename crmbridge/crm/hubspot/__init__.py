"""The HubSpot CRM adapter (hubspot-api-client); every HubSpot call lives in this package."""

from crmbridge.crm.hubspot.adapter import HubSpotConfig, HubSpotCrm

__all__ = ["HubSpotConfig", "HubSpotCrm"]
