//! Photos: a JPEG carrying an EXIF GPS block is stored and served byte for byte without it; it is
//! refused to a volunteer of another grid; wrong types, oversized and too many uploads get 4xx.

use serde_json::Value;

use crate::both_engines;
use crate::helpers::{Community, TestApp};

/// A JPEG segment: marker, big-endian length counting itself, contents.
fn segment(marker: u8, contents: &[u8]) -> Vec<u8> {
    let mut s = vec![0xFF, marker];
    s.extend_from_slice(&u16::try_from(contents.len() + 2).unwrap().to_be_bytes());
    s.extend_from_slice(contents);
    s
}

/// An EXIF block (big-endian TIFF) whose IFD0 points to a GPS IFD holding latitude 31°14'N.
fn exif_with_gps() -> Vec<u8> {
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    // IFD0: one entry, GPSInfo (0x8825, LONG) -> offset 26; no next IFD.
    tiff.extend_from_slice(&[0, 1, 0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0]);
    // GPS IFD: GPSLatitudeRef "N", GPSLatitude (3 RATIONAL at offset 56); no next IFD.
    tiff.extend_from_slice(&[0, 2, 0, 1, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0]);
    tiff.extend_from_slice(&[0, 2, 0, 5, 0, 0, 0, 3, 0, 0, 0, 56, 0, 0, 0, 0]);
    for (n, d) in [(31u32, 1u32), (14, 1), (2_000, 100)] {
        tiff.extend_from_slice(&n.to_be_bytes());
        tiff.extend_from_slice(&d.to_be_bytes());
    }
    [b"Exif\0\0".as_slice(), &tiff].concat()
}

/// A baseline JPEG's structure (JFIF, quantisation and Huffman tables, frame, scan), with the
/// EXIF block or without it.
fn jpeg(with_exif: bool) -> Vec<u8> {
    let jfif = segment(0xE0, b"JFIF\0\x01\x01\0\0\x48\0\x48\0\0");
    let exif = if with_exif {
        segment(0xE1, &exif_with_gps())
    } else {
        Vec::new()
    };
    let dqt = segment(0xDB, &[[0u8].as_slice(), &[1; 64]].concat());
    let sof = segment(0xC0, &[8, 0, 1, 0, 1, 1, 1, 0x11, 0]);
    let dht = segment(0xC4, &[[0u8].as_slice(), &[1], &[0; 15], &[0]].concat());
    let sos = segment(0xDA, &[1, 1, 0, 0, 0x3F, 0]);
    [
        &[0xFF, 0xD8][..],
        &jfif,
        &exif,
        &dqt,
        &sof,
        &dht,
        &sos,
        &[0x00, 0x3F, 0xFF, 0xD9],
    ]
    .concat()
}

both_engines!(a_photo_round_trips_without_its_exif, photo_round_trip);
async fn photo_round_trip(app: TestApp) {
    let c = Community::seed(&app).await;
    let volunteer_b = app.login("volunteer-b").await;
    app.set_roles(&c.admin, &volunteer_b, &["volunteer"]).await;
    app.profile(&volunteer_b, "小赵", "13700009999", c.grid_b).await;
    let id = app.wish(&c.owner, "楼道灯坏了").await["id"].as_i64().unwrap();

    let upload = jpeg(true);
    assert!(upload.windows(6).any(|w| w == b"Exif\0\0"));
    let photo = app.upload_photo(&c.owner, id, "image/jpeg", upload).await.expect(201);
    let photo_id = photo["id"].as_i64().unwrap();
    assert_eq!(photo["kind"], "wish");
    assert_eq!(photo["content_type"], "image/jpeg");
    let expected = jpeg(false);
    assert_eq!(photo["size_bytes"], expected.len());

    // The stored image is the upload minus its EXIF segment, byte for byte.
    let (status, kind, bytes) = app.photo(&c.owner, photo_id).await;
    assert_eq!((status, kind.as_str()), (200, "image/jpeg"));
    assert_eq!(bytes, expected);
    // The grid's volunteers (deciding whether to claim), its leader and admins see it too.
    for who in [&c.volunteer, &c.leader_a, &c.admin] {
        assert_eq!(app.photo(who, photo_id).await.2, expected, "{}", who.openid);
    }
    // A volunteer of another grid, another grid's leader: 404, as for no photo at all.
    for who in [&volunteer_b, &c.leader_b, &c.other_resident] {
        assert_eq!(app.photo(who, photo_id).await.0, 404, "{}", who.openid);
    }
    assert_eq!(app.photo(&c.owner, photo_id + 999).await.0, 404);
    // Listed on the wish for who may see it, and not for who may not.
    let path = format!("/api/v1/wishes/{id}");
    let listed = app.get(&path, &c.owner.token).await.expect(200)["photos"].clone();
    assert_eq!(listed[0]["url"], format!("/api/v1/photos/{photo_id}"));
    let theirs = app.get(&path, &volunteer_b.token).await.expect(200)["photos"].clone();
    assert_eq!(theirs, Value::Array(Vec::new()));

    // The holder adds proof; only they, the resident's side and staff see it.
    app.act(&c.volunteer, id, "claim", None).await.expect(200);
    let png = [
        b"\x89PNG\r\n\x1a\n".as_slice(),
        &[0, 0, 0, 0],
        b"IEND",
        &[0xAE, 0x42, 0x60, 0x82],
    ]
    .concat();
    let proof = app
        .upload_photo(&c.volunteer, id, "image/png", png.clone())
        .await
        .expect(201);
    assert_eq!(proof["kind"], "proof");
    let proof_id = proof["id"].as_i64().unwrap();
    assert_eq!(app.photo(&c.owner, proof_id).await.2, png);
    assert_eq!(app.photo(&c.volunteer2, proof_id).await.0, 404);
    // Others may not attach; deleting is the uploader's.
    app.upload_photo(&c.volunteer2, id, "image/png", png.clone())
        .await
        .expect_error(403, "not_permitted");
    let gone = format!("/api/v1/photos/{proof_id}");
    let delete = |token| app.call("DELETE", &gone, Some(token), None);
    delete(&c.owner.token).await.expect_error(403, "not_permitted");
    delete(&volunteer_b.token).await.expect_error(404, "not_found");
    assert_eq!(delete(&c.volunteer.token).await.status.as_u16(), 204);
    assert_eq!(app.photo(&c.owner, proof_id).await.0, 404);
}

both_engines!(
    bad_photos_get_clear_refusals,
    bad_photos,
    |s: &mut microwish_core::Settings| {
        s.photos.max_bytes = 2048;
        s.photos.max_per_wish = 2;
    }
);
async fn bad_photos(app: TestApp) {
    let c = Community::seed(&app).await;
    let id = app.wish(&c.owner, "帮忙修门").await["id"].as_i64().unwrap();
    let gif = b"GIF89a\x01\0\x01\0".to_vec();
    app.upload_photo(&c.owner, id, "image/jpeg", gif)
        .await
        .expect_error(415, "unsupported_media_type");
    app.upload_photo(&c.owner, id, "text/plain", jpeg(false))
        .await
        .expect_error(415, "unsupported_media_type");
    let big = [jpeg(false), vec![0; 4096]].concat();
    app.upload_photo(&c.owner, id, "image/jpeg", big)
        .await
        .expect_error(413, "too_large");
    let broken = jpeg(false)[..12].to_vec();
    app.upload_photo(&c.owner, id, "image/jpeg", broken)
        .await
        .expect_error(422, "invalid_image");
    app.upload_photo(&c.owner, id + 999, "image/jpeg", jpeg(false))
        .await
        .expect_error(404, "not_found");
    for _ in 0..2 {
        app.upload_photo(&c.owner, id, "image/jpeg", jpeg(true))
            .await
            .expect(201);
    }
    app.upload_photo(&c.owner, id, "image/jpeg", jpeg(true))
        .await
        .expect_error(409, "too_many_photos");
    assert_eq!(app.count("wish_photos").await, 2);
    // Once fulfilled, the resident's photos stay as they are.
    app.act(&c.volunteer, id, "claim", None).await.expect(200);
    let note = serde_json::json!({ "note": "修好了" });
    app.act(&c.volunteer, id, "fulfil", Some(note)).await.expect(200);
    app.upload_photo(&c.owner, id, "image/jpeg", jpeg(false))
        .await
        .expect_error(409, "invalid_transition");
}
