//! `NvDsDisplayMeta`: what nvdsosd draws on a frame besides objects.
use super::text::TextParams;
use super::{opaque_wrapper, MetaError, Opaque};
use ds_sys::{
    NvDsDisplayMeta, NvOSD_ArrowParams, NvOSD_CircleParams, NvOSD_LineParams, NvOSD_RectParams,
    MAX_ELEMENTS_IN_DISPLAY_META,
};

/// Rectangles, labels, lines, arrows and circles for nvdsosd (transparent
/// over `NvDsDisplayMeta`). Each kind has a fixed capacity of
/// [`MAX_ELEMENTS_IN_DISPLAY_META`]; `add_*` refuses past it.
///
/// ```
/// use ds_core::{osd::Color, RectParams};
/// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
/// let d = batch.new_frame().unwrap().new_display_meta().unwrap();
/// let text = d.add_text("Vehicle = 3 Person = 1").unwrap();
/// text.set_offsets(10, 12);
/// text.set_font_name("Serif");
/// text.set_font_size(10);
/// text.set_font_color(Color::WHITE);
/// text.set_bg_color(Color::BLACK);
/// d.add_rect(RectParams { left: 5.0, top: 5.0, width: 20.0, height: 10.0, border_width: 2, ..Default::default() }).unwrap();
/// assert_eq!((d.num_labels(), d.num_rects()), (1, 1));
/// assert_eq!(d.labels()[0].display_text(), Some("Vehicle = 3 Person = 1"));
/// ```
#[repr(transparent)]
pub struct DisplayMeta(Opaque<NvDsDisplayMeta>);

opaque_wrapper!(
    DisplayMeta,
    NvDsDisplayMeta,
    "let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();\n\
     let meta = batch.new_frame().unwrap().new_display_meta().unwrap();"
);

fn count(n: u32) -> usize {
    (n as usize).min(MAX_ELEMENTS_IN_DISPLAY_META)
}

/// Generates the accessors of one Copy element kind.
macro_rules! elements {
    ($num:ident, $get:ident, $get_mut:ident, $add:ident, $clear:ident, $field:ident,
     $t:ty, $what:literal, $make:literal) => {
        #[doc = concat!("Number of ", $what, "s (`", stringify!($num), "`).")]
        ///
        /// ```
        /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
        /// let d = batch.new_frame().unwrap().new_display_meta().unwrap();
        #[doc = concat!("assert_eq!(d.", stringify!($num), "(), 0);")]
        /// ```
        pub fn $num(&self) -> u32 {
            self.raw().$num
        }

        #[doc = concat!("The ", $what, "s in use.")]
        ///
        /// ```
        /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
        /// let d = batch.new_frame().unwrap().new_display_meta().unwrap();
        #[doc = concat!("d.", stringify!($add), "(", $make, ").unwrap();")]
        #[doc = concat!("assert_eq!(d.", stringify!($get), "().len(), 1);")]
        /// ```
        pub fn $get(&self) -> &[$t] {
            let raw = self.raw();
            &raw.$field[..count(raw.$num)]
        }

        #[doc = concat!("The ", $what, "s in use, mutably.")]
        ///
        /// ```
        /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
        /// let d = batch.new_frame().unwrap().new_display_meta().unwrap();
        #[doc = concat!("d.", stringify!($add), "(", $make, ").unwrap();")]
        #[doc = concat!("d.", stringify!($get_mut), "()[0] = ", $make, ";")]
        /// ```
        pub fn $get_mut(&mut self) -> &mut [$t] {
            // SAFETY: plain-data array; `&mut self` is exclusive.
            let raw = unsafe { &mut *self.0.get() };
            let n = count(raw.$num);
            &mut raw.$field[..n]
        }

        #[doc = concat!("Appends a ", $what, "; refuses with [`MetaError::Full`] past ")]
        /// [`MAX_ELEMENTS_IN_DISPLAY_META`]. Returns the stored element.
        ///
        /// ```
        /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
        /// let d = batch.new_frame().unwrap().new_display_meta().unwrap();
        /// for _ in 0..ds_core::MAX_ELEMENTS_IN_DISPLAY_META {
        #[doc = concat!("    d.", stringify!($add), "(", $make, ").unwrap();")]
        /// }
        #[doc = concat!("assert!(d.", stringify!($add), "(", $make, ").is_err());")]
        /// ```
        pub fn $add(&mut self, element: $t) -> Result<&mut $t, MetaError> {
            // SAFETY: plain-data array; `&mut self` is exclusive.
            let raw = unsafe { &mut *self.0.get() };
            let n = raw.$num as usize;
            if n >= MAX_ELEMENTS_IN_DISPLAY_META {
                return Err(MetaError::Full {
                    what: $what,
                    capacity: MAX_ELEMENTS_IN_DISPLAY_META,
                });
            }
            raw.$field[n] = element;
            raw.$num += 1;
            Ok(&mut raw.$field[n])
        }

        #[doc = concat!("Removes all ", $what, "s.")]
        ///
        /// ```
        /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
        /// let d = batch.new_frame().unwrap().new_display_meta().unwrap();
        #[doc = concat!("d.", stringify!($add), "(", $make, ").unwrap();")]
        #[doc = concat!("d.", stringify!($clear), "();")]
        #[doc = concat!("assert_eq!(d.", stringify!($num), "(), 0);")]
        /// ```
        pub fn $clear(&mut self) {
            // SAFETY: plain-data field; `&mut self` is exclusive.
            unsafe { (*self.0.get()).$num = 0 };
        }
    };
}

impl DisplayMeta {
    elements!(
        num_rects,
        rects,
        rects_mut,
        add_rect,
        clear_rects,
        rect_params,
        NvOSD_RectParams,
        "rect",
        "Default::default()"
    );
    elements!(
        num_lines,
        lines,
        lines_mut,
        add_line,
        clear_lines,
        line_params,
        NvOSD_LineParams,
        "line",
        "Default::default()"
    );
    elements!(
        num_arrows,
        arrows,
        arrows_mut,
        add_arrow,
        clear_arrows,
        arrow_params,
        NvOSD_ArrowParams,
        "arrow",
        "Default::default()"
    );
    elements!(
        num_circles,
        circles,
        circles_mut,
        add_circle,
        clear_circles,
        circle_params,
        NvOSD_CircleParams,
        "circle",
        "Default::default()"
    );

    /// Number of text labels (`num_labels`).
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let d = batch.new_frame().unwrap().new_display_meta().unwrap();
    /// d.add_text("a").unwrap();
    /// assert_eq!(d.num_labels(), 1);
    /// ```
    pub fn num_labels(&self) -> u32 {
        self.raw().num_labels
    }

    /// The text labels in use.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let d = batch.new_frame().unwrap().new_display_meta().unwrap();
    /// d.add_text("a").unwrap();
    /// assert_eq!(d.labels()[0].display_text(), Some("a"));
    /// ```
    pub fn labels(&self) -> &[TextParams] {
        let raw = self.raw();
        let n = count(raw.num_labels);
        // SAFETY: the first num_labels text params are in use and own their
        // display_text (freed by the pool on release); TextParams is
        // transparent over NvOSD_TextParams.
        unsafe { std::slice::from_raw_parts(raw.text_params.as_ptr() as *const TextParams, n) }
    }

    /// The text labels in use, mutably.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let d = batch.new_frame().unwrap().new_display_meta().unwrap();
    /// d.add_text("a").unwrap();
    /// d.labels_mut()[0].set_display_text("b"); // frees "a"
    /// assert_eq!(d.labels()[0].display_text(), Some("b"));
    /// ```
    pub fn labels_mut(&mut self) -> &mut [TextParams] {
        // SAFETY: as in `labels`; `&mut self` is exclusive.
        unsafe {
            let raw = &mut *self.0.get();
            let n = count(raw.num_labels);
            std::slice::from_raw_parts_mut(raw.text_params.as_mut_ptr() as *mut TextParams, n)
        }
    }

    /// Appends a text label (moving `label` and its text in); refuses with
    /// [`MetaError::Full`] past [`MAX_ELEMENTS_IN_DISPLAY_META`].
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let d = batch.new_frame().unwrap().new_display_meta().unwrap();
    /// let mut t = ds_core::TextParams::with_text("Frame 7");
    /// t.set_offsets(4, 4);
    /// d.add_label(t).unwrap();
    /// assert_eq!(d.labels()[0].offsets(), (4, 4));
    /// ```
    pub fn add_label(&mut self, label: TextParams) -> Result<&mut TextParams, MetaError> {
        // SAFETY: `&mut self` is exclusive.
        let raw = unsafe { &mut *self.0.get() };
        let n = raw.num_labels as usize;
        if n >= MAX_ELEMENTS_IN_DISPLAY_META {
            return Err(MetaError::Full {
                what: "label",
                capacity: MAX_ELEMENTS_IN_DISPLAY_META,
            });
        }
        let slot = std::ptr::addr_of_mut!(raw.text_params[n]);
        // SAFETY: slots past num_labels hold no owned text (the pool zeroes
        // them and `truncate_labels` frees and zeroes what it drops), so
        // overwriting without dropping leaks nothing; the text moves in.
        unsafe {
            std::ptr::write(slot as *mut TextParams, label);
        }
        raw.num_labels += 1;
        // SAFETY: slot is in use now and owns its text.
        Ok(unsafe { TextParams::from_raw_mut(slot) })
    }

    /// Appends a text label holding a copy of `text` (other parameters
    /// zero); returns it for further setup.
    ///
    /// ```
    /// use ds_core::osd::Color;
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let d = batch.new_frame().unwrap().new_display_meta().unwrap();
    /// d.add_text("Person = 4").unwrap().set_font_color(Color::WHITE);
    /// assert_eq!(d.labels()[0].font_color().alpha, 1.0);
    /// ```
    pub fn add_text(&mut self, text: &str) -> Result<&mut TextParams, MetaError> {
        if self.num_labels() as usize >= MAX_ELEMENTS_IN_DISPLAY_META {
            return Err(MetaError::Full {
                what: "label",
                capacity: MAX_ELEMENTS_IN_DISPLAY_META,
            });
        }
        self.add_label(TextParams::with_text(text))
    }

    /// Keeps the first `len` text labels, freeing the texts of the others.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let d = batch.new_frame().unwrap().new_display_meta().unwrap();
    /// d.add_text("a").unwrap();
    /// d.add_text("b").unwrap();
    /// d.truncate_labels(1);
    /// assert_eq!(d.num_labels(), 1);
    /// ```
    pub fn truncate_labels(&mut self, len: usize) {
        // SAFETY: `&mut self` is exclusive.
        let raw = unsafe { &mut *self.0.get() };
        let n = count(raw.num_labels);
        for i in len.min(n)..n {
            let slot = std::ptr::addr_of_mut!(raw.text_params[i]);
            // SAFETY: the slot is in use and owns its text; it is read out
            // (and dropped, freeing the text) and zeroed, so nothing refers
            // to the text afterwards.
            unsafe {
                drop(std::ptr::read(slot as *mut TextParams));
                std::ptr::write(slot as *mut TextParams, TextParams::new());
            }
        }
        if len < n {
            raw.num_labels = len as u32;
        }
    }

    /// Removes all text labels, freeing their texts.
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let d = batch.new_frame().unwrap().new_display_meta().unwrap();
    /// d.add_text("a").unwrap();
    /// d.clear_labels();
    /// assert!(d.labels().is_empty());
    /// ```
    pub fn clear_labels(&mut self) {
        self.truncate_labels(0);
    }

    /// User fields of the display meta (`misc_osd_data`).
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let d = batch.new_frame().unwrap().new_display_meta().unwrap();
    /// d.misc_osd_data_mut()[0] = 3;
    /// assert_eq!(d.misc_osd_data()[0], 3);
    /// ```
    pub fn misc_osd_data(&self) -> &[i64; ds_sys::MAX_USER_FIELDS] {
        &self.raw().misc_osd_data
    }

    /// Mutable user fields of the display meta (`misc_osd_data`).
    ///
    /// ```
    /// let mut batch = ds_core::OwnedBatchMeta::new(1).unwrap();
    /// let d = batch.new_frame().unwrap().new_display_meta().unwrap();
    /// d.misc_osd_data_mut()[1] = 4;
    /// assert_eq!(d.misc_osd_data(), &[0, 4, 0, 0]);
    /// ```
    pub fn misc_osd_data_mut(&mut self) -> &mut [i64; ds_sys::MAX_USER_FIELDS] {
        // SAFETY: plain data; `&mut self` is exclusive.
        unsafe { &mut (*self.0.get()).misc_osd_data }
    }
}
