"""Models, one module per part of the app; each part's module is imported here."""

from jingying.care.models.hospitals import GreenChannelService, PartnerHospital, PoliceWindow, Referral  # noqa: F401
