import { useEffect, useState } from "preact/hooks";
import { ApiError, api } from "../../api/client";
import { fieldMessage } from "../../api/messages";
import type { NotificationKind, Profile } from "../../api/types";
import { describeError } from "../../chain/errors";
import { NOTIFICATION_KIND_LABEL } from "../../lib/labels";
import { notify } from "../../lib/notices";
import { session } from "../../session";

const KINDS = Object.keys(NOTIFICATION_KIND_LABEL) as NotificationKind[];

function ProfileForm({ profile, onSaved }: { profile: Profile; onSaved: (p: Profile) => void }) {
  const [name, setName] = useState(profile.display_name ?? "");
  const [email, setEmail] = useState(profile.pending_email ?? profile.email ?? "");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const save = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      const input: { display_name?: string; email?: string } = {};
      if (name.trim() && name.trim() !== (profile.display_name ?? "")) input.display_name = name.trim();
      if (email.trim() !== (profile.pending_email ?? profile.email ?? "")) input.email = email.trim();
      const saved = await api.setProfile(input);
      setErrors({});
      onSaved(saved);
      const me = session.get();
      if (me) session.set({ ...me, display_name: saved.display_name });
      notify(
        saved.pending_email ? `Saved. We mailed a 6-digit code to ${saved.pending_email}.` : "Your profile is saved.",
        "ok",
        "settings",
      );
    } catch (e) {
      if (e instanceof ApiError && e.details.length) {
        const map: Record<string, string> = {};
        for (const d of e.details) map[d.field] ??= fieldMessage(d);
        setErrors(map);
      } else notify(describeError(e), "error", "settings");
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="panel settings-form" onSubmit={save} noValidate>
      <h2>Profile</h2>
      <div class="field">
        <label for="s-name">Display name</label>
        <input
          id="s-name"
          value={name}
          maxLength={40}
          onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)}
          aria-invalid={errors.display_name ? "true" : undefined}
          aria-describedby="s-name-hint s-name-error"
        />
        <p class="hint" id="s-name-hint">
          Shown with your bids and wins, next to your short address. 1–40 characters; no addresses or links.
        </p>
        <p class="field-error" id="s-name-error">
          {errors.display_name ?? ""}
        </p>
      </div>
      <div class="field">
        <label for="s-email">Email for notifications</label>
        <input
          id="s-email"
          type="email"
          autocomplete="email"
          value={email}
          onInput={(e) => setEmail((e.currentTarget as HTMLInputElement).value)}
          aria-invalid={errors.email ? "true" : undefined}
          aria-describedby="s-email-hint s-email-error"
        />
        <p class="hint" id="s-email-hint">
          Private: only used to mail you, once you confirm it with the code we send.{" "}
          {profile.email ? `Confirmed: ${profile.email}.` : "No confirmed address yet."} Empty it to stop all email.
        </p>
        <p class="field-error" id="s-email-error">
          {errors.email ?? ""}
        </p>
      </div>
      <button type="submit" class="btn" disabled={busy}>
        Save profile
      </button>
    </form>
  );
}

function ConfirmCode({ pending, onConfirmed }: { pending: string; onConfirmed: (p: Profile) => void }) {
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const confirm = async (event: Event) => {
    event.preventDefault();
    try {
      onConfirmed(await api.confirmEmail(code.trim()));
      setError(null);
      notify(`${pending} is confirmed.`, "ok", "settings");
    } catch (e) {
      setError(e instanceof ApiError && e.details.length ? fieldMessage(e.details[0]) : describeError(e));
    }
  };
  return (
    <form class="panel" onSubmit={confirm} noValidate>
      <h2>Confirm {pending}</h2>
      <div class="field">
        <label for="s-code">The 6-digit code from the email</label>
        <input
          id="s-code"
          inputMode="numeric"
          autocomplete="one-time-code"
          maxLength={6}
          value={code}
          onInput={(e) => setCode((e.currentTarget as HTMLInputElement).value)}
          aria-invalid={error ? "true" : undefined}
          aria-describedby="s-code-error"
        />
        <p class="field-error" id="s-code-error" role={error ? "alert" : undefined}>
          {error ?? ""}
        </p>
      </div>
      <button type="submit" class="btn">
        Confirm
      </button>
    </form>
  );
}

function EmailSettings({ confirmed }: { confirmed: boolean }) {
  const [email, setEmail] = useState<Record<string, boolean> | null>(null);
  useEffect(() => {
    api.notificationSettings().then(
      (s) => setEmail(s.email),
      (e) => notify(describeError(e), "error", "settings"),
    );
  }, []);
  if (!email) return null;
  const toggle = async (kind: string, on: boolean) => {
    try {
      setEmail((await api.setNotificationSettings({ [kind]: on })).email);
    } catch (e) {
      notify(describeError(e), "error", "settings");
    }
  };
  return (
    <fieldset class="panel choice" data-testid="email-settings">
      <legend>Email me when…</legend>
      {!confirmed && (
        <p class="hint">These apply once your email address is confirmed. The inbox here gets everything.</p>
      )}
      {KINDS.map((kind) => (
        <label key={kind}>
          <input
            type="checkbox"
            checked={email[kind] ?? true}
            onChange={(e) => toggle(kind, (e.currentTarget as HTMLInputElement).checked)}
          />{" "}
          {NOTIFICATION_KIND_LABEL[kind]}
        </label>
      ))}
    </fieldset>
  );
}

export function Settings() {
  const [profile, setProfile] = useState<Profile | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.profile().then(setProfile, (e) => setError(describeError(e)));
  }, []);
  if (error) return <p class="panel error-panel">{error}</p>;
  if (!profile) return <p class="loading">Loading your settings…</p>;
  return (
    <div class="settings">
      <ProfileForm
        key={`${profile.display_name}-${profile.pending_email}-${profile.email}`}
        profile={profile}
        onSaved={setProfile}
      />
      {profile.pending_email && <ConfirmCode pending={profile.pending_email} onConfirmed={setProfile} />}
      <EmailSettings confirmed={Boolean(profile.email)} />
    </div>
  );
}
