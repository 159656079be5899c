import { useRef, useState } from "preact/hooks";
import type { Photo } from "../api/types";
import { Modal } from "./Modal";
import { PhotoImg } from "./PhotoImg";
import { Placeholder } from "./Placeholder";

const GALLERY_SIZES = "(min-width: 1180px) 660px, (min-width: 900px) 56vw, 94vw";

/**
 * The listing's photos: a large one, thumbnails as a tab-like list (arrow keys move
 * between them), and a full-size view (Enter on the photo; arrows and Escape inside).
 */
export function Gallery({ photos, title }: { photos: Photo[]; title: string }) {
  const [index, setIndex] = useState(0);
  const [full, setFull] = useState(false);
  const thumbs = useRef<(HTMLButtonElement | null)[]>([]);
  if (photos.length === 0) {
    return (
      <div class="gallery">
        <div class="main-photo">
          <Placeholder />
        </div>
      </div>
    );
  }
  const current = photos[Math.min(index, photos.length - 1)];
  const go = (next: number, focus = false) => {
    const wrapped = (next + photos.length) % photos.length;
    setIndex(wrapped);
    if (focus) thumbs.current[wrapped]?.focus();
  };
  const arrows = (event: KeyboardEvent, focus: boolean) => {
    if (event.key === "ArrowRight" || event.key === "ArrowDown") go(index + 1, focus);
    else if (event.key === "ArrowLeft" || event.key === "ArrowUp") go(index - 1, focus);
    else if (event.key === "Home") go(0, focus);
    else if (event.key === "End") go(photos.length - 1, focus);
    else return;
    event.preventDefault();
  };
  const alt = `${title}, photo ${index + 1} of ${photos.length}`;
  return (
    <div class="gallery">
      <button type="button" class="main-photo" onClick={() => setFull(true)} aria-label={`${alt}: view full size`}>
        <PhotoImg photo={current} alt={alt} sizes={GALLERY_SIZES} eager />
      </button>
      {photos.length > 1 && (
        <div class="thumbs" role="tablist" aria-label="Photos" onKeyDown={(e) => arrows(e, true)}>
          {photos.map((photo, i) => (
            <button
              key={photo.id}
              ref={(el) => {
                thumbs.current[i] = el;
              }}
              type="button"
              role="tab"
              aria-selected={i === index}
              tabIndex={i === index ? 0 : -1}
              aria-label={`Photo ${i + 1} of ${photos.length}`}
              onClick={() => setIndex(i)}
            >
              <img src={photo.urls.w320 ?? photo.urls.full} alt="" width={76} height={60} loading="lazy" />
            </button>
          ))}
        </div>
      )}
      {full && (
        <Modal title={alt} onClose={() => setFull(false)} wide testId="full-photo" onKeyDown={(e) => arrows(e, false)}>
          <div class="full-photo">
            <img src={current.urls.full} alt={alt} width={current.width} height={current.height} />
            <div class="row dialog-actions">
              {photos.length > 1 && (
                <>
                  <button type="button" class="btn secondary" onClick={() => go(index - 1)}>
                    ← Previous
                  </button>
                  <button type="button" class="btn secondary" onClick={() => go(index + 1)}>
                    Next →
                  </button>
                </>
              )}
              <button type="button" class="btn" onClick={() => setFull(false)}>
                Close
              </button>
            </div>
          </div>
        </Modal>
      )}
    </div>
  );
}
