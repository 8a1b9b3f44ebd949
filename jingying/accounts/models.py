"""Accounts: users linked to people, grants of role × unit subtree × domains, API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingying.accounts.roles import Domain, Role
from jingying.core.i18n import join_list


class User(AbstractUser):
    """A login. Officers' accounts point at their Person; administrators' need not."""

    person = models.OneToOneField(
        "org.Person",
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )
    display_name = models.CharField(_("显示名"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def has_self_service(self) -> bool:
        """Linked to a person and holding the officer self-service (any business role; never the
        三员, decision 0014): whether the "我的…" links make sense for this account."""
        from jingying.core.scoping import has_perm

        return self.person_id is not None and has_perm(self, "org.view_person")


class GrantQuerySet(models.QuerySet["Grant"]):
    def active(self) -> GrantQuerySet:
        now = timezone.now()
        return self.filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now))


class Grant(models.Model):
    """A role held over a unit subtree, optionally with sensitive domains."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("授权范围"), on_delete=models.PROTECT, related_name="grants"
    )
    domains = models.JSONField(_("敏感数据域"), default=list, blank=True)
    reason = models.CharField(_("授权理由"), max_length=200, blank=True)
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    granted_by = models.ForeignKey(
        User,
        verbose_name=_("授权人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = GrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("授权")
        verbose_name_plural = _("授权")
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit_id}"

    def has_domain(self, domain: Domain | str) -> bool:
        return str(domain) in self.domains

    @property
    def domain_labels(self) -> str:
        """The sensitive domains by name in the active language ("心理、健康")."""
        labels = dict(Domain.choices)
        return join_list(labels.get(d, d) for d in self.domains)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored; the token is shown once.

    For an account whose grants need the second factor a token is accepted only if it was issued
    under that rule (`second_factor`): from a session that completed TOTP, or by the server's
    `jingying token create`, with a bounded expiry (decision 0013). A revoked token keeps its row
    as the record of what existed.
    """

    class IssuedVia(models.TextChoices):
        SERVER = "server", _("服务器命令")
        SESSION_TOTP = "session_totp", _("本人（已完成动态口令）")
        SESSION = "session", _("本人（口令登录）")
        SECADMIN = "secadmin", _("安全管理员签发")

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=64, blank=True)
    digest = models.CharField(_("摘要"), max_length=64, unique=True)
    prefix = models.CharField(_("前缀"), max_length=8)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    # Blank on tokens made before the rule existed: treated as issued without the second factor.
    issued_via = models.CharField(_("签发方式"), max_length=16, choices=IssuedVia.choices, blank=True)
    second_factor = models.BooleanField(
        _("按第二因素规则签发"), default=False,
        help_text=_("签发时账号需要动态口令，且令牌由完成动态口令的会话或服务器命令签发"),
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    # Refused uses are audited at most once per JINGYING_API_TOKEN_REFUSAL_AUDIT_MINUTES; those in
    # between are counted here and reported by the next entry (or by the retention job).
    refusal_audited_at = models.DateTimeField(_("最近记录拒绝时间"), null=True, blank=True)
    refusals_unaudited = models.PositiveIntegerField(_("未单独记录的拒绝次数"), default=0)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"

    @property
    def is_live(self) -> bool:
        """Not revoked and not past its own expiry (the second-factor rules are checked on use)."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())

    @staticmethod
    def new_secret() -> str:
        return "jy_" + secrets.token_urlsafe(32)

    @staticmethod
    def digest_of(raw: str) -> str:
        return _digest(raw)


class LoginSecurity(models.Model):
    """Per-user login state kept apart from Django's User so the rules read in one place."""

    user = models.OneToOneField(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="security")
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)
    totp_secret = models.CharField(_("动态口令密钥"), max_length=64, blank=True)
    totp_confirmed_at = models.DateTimeField(_("动态口令启用时间"), null=True, blank=True)
    totp_last_step = models.BigIntegerField(_("最近使用的口令时段"), default=0)
    session_key = models.CharField(_("当前会话"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("登录安全")
        verbose_name_plural = _("登录安全")

    def __str__(self) -> str:
        return str(self.user)


class PasswordHistory(models.Model):
    """Previous password hashes, so the last few cannot be reused (等保 password policy)."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="password_history")
    encoded = models.CharField(_("密码摘要"), max_length=255)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"


class LoginThrottle(models.Model):
    """Failed logins per account name and per source address; a lock after too many.

    Keyed by the name typed, existing or not, so a lock message never reveals whether an
    account exists.
    """

    class Kind(models.TextChoices):
        ACCOUNT = "account", _("账号")
        ADDRESS = "address", _("来源地址")

    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    key = models.CharField(_("账号或地址"), max_length=150)
    failures = models.PositiveIntegerField(_("连续失败次数"), default=0)
    last_failure_at = models.DateTimeField(_("最近失败时间"), null=True, blank=True)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)

    class Meta:
        verbose_name = _("登录限制")
        verbose_name_plural = _("登录限制")
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="login_throttle_unique")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"
