import { useRef, useState } from "preact/hooks";
import { api, uploadPhoto } from "../api/client";
import type { Photo } from "../api/types";
import { describeError } from "../chain/errors";

interface Upload {
  key: number;
  name: string;
  progress: number;
  error: string | null;
}

interface Props {
  listingId: string;
  photos: Photo[];
  onChange: (photos: Photo[]) => void;
}

const ACCEPT = "image/jpeg,image/png,image/webp";
const PARALLEL = 2;
let uploadKey = 0;

/** Photos of a draft: drop or choose several (a progress bar each), reorder, remove. */
export function PhotoManager({ listingId, photos, onChange }: Props) {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [dragging, setDragging] = useState(false);
  const [message, setMessage] = useState("");
  const picker = useRef<HTMLInputElement>(null);
  const current = useRef(photos);
  current.current = photos;

  const patch = (key: number, change: Partial<Upload>) =>
    setUploads((list) => list.map((u) => (u.key === key ? { ...u, ...change } : u)));

  const addFiles = async (files: File[]) => {
    const images = files.filter((f) => ACCEPT.split(",").includes(f.type));
    if (images.length < files.length) setMessage("Only JPEG, PNG and WebP photos can be added; the rest were skipped.");
    const queued = images.map((file) => ({
      file,
      upload: { key: ++uploadKey, name: file.name, progress: 0, error: null },
    }));
    setUploads((list) => [...list, ...queued.map((q) => q.upload)]);
    const next = async (): Promise<void> => {
      const item = queued.shift();
      if (!item) return;
      try {
        const photo = await uploadPhoto(listingId, item.file, (progress) => patch(item.upload.key, { progress }));
        current.current = [...current.current, photo];
        onChange(current.current);
        setUploads((list) => list.filter((u) => u.key !== item.upload.key));
        setMessage(`${item.file.name} added.`);
      } catch (e) {
        patch(item.upload.key, { error: describeError(e) });
      }
      return next();
    };
    await Promise.all(Array.from({ length: PARALLEL }, next));
  };

  const move = async (index: number, delta: number) => {
    const order = [...photos];
    const [photo] = order.splice(index, 1);
    order.splice(index + delta, 0, photo);
    try {
      onChange(
        await api.reorderPhotos(
          listingId,
          order.map((p) => p.id),
        ),
      );
      setMessage(`Photo moved to position ${index + delta + 1}.`);
      requestAnimationFrame(() =>
        document.querySelector<HTMLElement>(`[data-photo="${photo.id}"] [data-move="${delta}"]`)?.focus(),
      );
    } catch (e) {
      setMessage(describeError(e));
    }
  };

  const remove = async (photo: Photo) => {
    try {
      await api.deletePhoto(listingId, photo.id);
      onChange(photos.filter((p) => p.id !== photo.id));
      setMessage("Photo removed.");
    } catch (e) {
      setMessage(describeError(e));
    }
  };

  return (
    <fieldset class="photos">
      <legend>Photos</legend>
      <section
        class={dragging ? "drop-zone dragging" : "drop-zone"}
        data-testid="drop-zone"
        aria-label="Drop photos here"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          addFiles([...(e.dataTransfer?.files ?? [])]);
        }}
      >
        <p>Drop photos here (JPEG, PNG or WebP, up to 12), or</p>
        <button type="button" class="btn secondary" onClick={() => picker.current?.click()}>
          Choose photos
        </button>
        <input
          ref={picker}
          type="file"
          accept={ACCEPT}
          multiple
          hidden
          onChange={(e) => {
            const input = e.currentTarget as HTMLInputElement;
            addFiles([...(input.files ?? [])]);
            input.value = "";
          }}
        />
      </section>
      {uploads.length > 0 && (
        <ul class="uploads">
          {uploads.map((u) => (
            <li key={u.key} data-testid="upload">
              <span>{u.name}</span>
              {u.error ? (
                <span class="field-error">{u.error}</span>
              ) : (
                <progress max={1} value={u.progress} aria-label={`Uploading ${u.name}`} />
              )}
            </li>
          ))}
        </ul>
      )}
      <p class="visually-hidden" aria-live="polite">
        {message}
      </p>
      <ol class="photo-list" data-testid="photo-list">
        {photos.map((photo, i) => (
          <li key={photo.id} class="photo-item" data-photo={photo.id}>
            <img
              src={photo.urls.w320 ?? photo.urls.full}
              alt={`Shot ${i + 1} of ${photos.length}`}
              width={320}
              height={240}
            />
            <div class="row">
              <button
                type="button"
                class="btn small secondary"
                data-move="-1"
                disabled={i === 0}
                onClick={() => move(i, -1)}
                aria-label={`Move photo ${i + 1} earlier`}
              >
                ←
              </button>
              <button
                type="button"
                class="btn small secondary"
                data-move="1"
                disabled={i === photos.length - 1}
                onClick={() => move(i, 1)}
                aria-label={`Move photo ${i + 1} later`}
              >
                →
              </button>
              <button
                type="button"
                class="btn small danger"
                onClick={() => remove(photo)}
                aria-label={`Remove photo ${i + 1}`}
              >
                Remove
              </button>
            </div>
          </li>
        ))}
      </ol>
    </fieldset>
  );
}
